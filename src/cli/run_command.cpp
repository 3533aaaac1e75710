#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "commands.hpp"
#include "ouroboros/core/archive.hpp"
#include "ouroboros/core/error.hpp"
#include "ouroboros/core/parallel.hpp"
#include "ouroboros/experiment/distributed_runner.hpp"
#include "ouroboros/experiment/plan.hpp"
#include "ouroboros/experiment/plan_runner.hpp"
#include "ouroboros/io/run_directory.hpp"
#include "process_group.hpp"
#include "terminal_sink.hpp"

namespace ouro {

namespace {

class NoFiles final : public ResultSink {
 public:
  void summary(const SummaryRow&) override {}
};

// The terminal table of the point that is running: a TerminalSink per point (it holds the point's config).
class PointTerminal final : public ResultSink {
 public:
  explicit PointTerminal(bool quiet) : quiet_(quiet) {}
  void start(const ExperimentConfig& config) { terminal_ = std::make_unique<TerminalSink>(config, files_, quiet_, stdout); }
  void begin_regime(const std::string& r, KernelKind k) override { terminal_->begin_regime(r, k); }
  void summary(const SummaryRow& row) override { terminal_->summary(row); }
  void summary_block(std::span<const SummaryRow> rows) override { terminal_->summary_block(rows); }
  void end_regime(const std::string& r) override { terminal_->end_regime(r); }
  bool progress(std::size_t i, std::int64_t g) override { return terminal_ && terminal_->progress(i, g); }

 private:
  bool quiet_;
  NoFiles files_;
  std::unique_ptr<TerminalSink> terminal_;
};

void print_dry_run(const Plan& plan, const std::filesystem::path& dir) {
  std::size_t units = 0;
  for (const auto& p : plan.points) units += p.config.regimes.size();
  say("{} point(s), {} work unit(s) (point x regime); results in {}\n", plan.points.size(), units,
             (dir / "results.db").string());
  for (const auto& p : plan.points) {
    const auto& n = p.config.resolved["experiment"]["samples"];
    say("point {} (id {}){}{}: seed {}, {} replicates, {} generations, n = {}, truth {}, model {}\n", p.index,
               p.id, plan.sweep() ? " " : "", p.label(), p.config.seed, p.config.replicates, p.config.generations,
               n.is_string() ? n.get<std::string>() : n.dump(), p.config.truth_family, p.config.model_family);
    for (const auto& r : p.config.regimes) say("  unit: {}\n", r.name());
  }
}

}  // namespace

namespace {

// Rank 0 sends the plan's source to every other rank (they need neither the experiment file nor the output
// directory, only the data files the families read); an empty message: nothing to run (a dry run, or an error).
std::string plan_message(const RunOptions& options, const std::string& text, int threads) {
  ArchiveWriter w;
  w(text, options.experiment, options.overrides, options.out_dir, threads);
  return w.take();
}

Plan plan_from_message(const std::string& bytes) {
  std::string text, source, out;
  std::vector<std::string> overrides;
  int threads = -1;
  ArchiveReader r(bytes);
  r(text, source, overrides, out, threads);
  Plan plan = parse_plan(text, source, overrides);
  override_output(plan, out, threads);
  return plan;
}

// A rank > 0: the plan from rank 0, then units until rank 0 says stop. Prints nothing: rank 0 reports.
int serve(ProcessGroup& group) {
  const Message m = group.receive();
  if (m.tag != kTagPlan) throw std::runtime_error("distributed run: expected the plan from rank 0");
  if (m.bytes.empty()) return 0;
  const Plan plan = plan_from_message(m.bytes);
  RunTuning tuning;
  tuning.cancel = CancelToken([] { return interrupted(); });
  serve_plan(plan, tuning, group);
  return 0;
}

int run_plan_command(const RunOptions& options, const std::vector<std::string>& command_line, ProcessGroup* group) {
  const std::string text = read_experiment_file(options.experiment);
  Plan plan = parse_plan(text, options.experiment, options.overrides);
  int threads = options.threads;
  // In a job, threads = 0 (all cores) means this machine's cores shared among the job's processes on it.
  if (group && threads < 0 && plan.points.front().config.threads == 0)
    threads = static_cast<int>(std::max(1u, resolve_threads(0) / static_cast<unsigned>(group->local_size())));
  override_output(plan, options.out_dir, threads);
  const ExperimentConfig& first = plan.points.front().config;
  const std::filesystem::path dir(first.output_dir);
  Assignment assignment = Assignment::kDynamic;
  Spread spread = Spread::kAuto;
  if (group) {
    // OUROBOROS_ASSIGN=static hands unit i to rank i mod P instead (README: Running on a cluster).
    if (const char* how = std::getenv("OUROBOROS_ASSIGN"); how && std::string(how) == "static")
      assignment = Assignment::kStatic;
    else if (how && std::string(how) != "dynamic")
      throw UserError(fmt::format("OUROBOROS_ASSIGN={}: must be dynamic (the default) or static", how));
    // OUROBOROS_SPREAD=always|never: spread units over the ranks by replicates always, or never (default: auto,
    // when fewer units than ranks are left; README: Running on a cluster).
    if (const char* how = std::getenv("OUROBOROS_SPREAD"); how && std::string(how) == "always")
      spread = Spread::kAlways;
    else if (how && std::string(how) == "never")
      spread = Spread::kNever;
    else if (how && std::string(how) != "auto")
      throw UserError(fmt::format("OUROBOROS_SPREAD={}: must be auto (the default), always or never", how));
  }
  // Every input error is reported before anything is written; a point spread over the ranks needs one rank's share
  // of its memory.
  check_plan(plan, group ? spread_processes(plan, group->size(), spread) : 1);
  if (group && group->size() > 1) check_single_process(plan);
  if (options.dry_run) {
    for (int r = 1; group && r < group->size(); ++r) group->send(r, kTagPlan, {});
    print_dry_run(plan, dir);
    return 0;
  }
  for (const auto& p : plan.points)
    if (!options.quiet && !p.config.table_dropped.empty()) {
      std::string list;
      for (const auto g : p.config.table_dropped) list += (list.empty() ? "" : ", ") + std::to_string(g);
      fmt::print(stderr, "ouroboros: output.table: generation(s) {} past the last generation {} not shown\n", list,
                 p.config.generations);
      break;
    }

  PointTerminal terminal(options.quiet);
  DirectoryRunOptions run;
  run.fresh = options.fresh;
  run.cancel = CancelToken([] { return interrupted(); });
  run.sink = options.quiet ? nullptr : &terminal;  // quiet: no table, so no stored rows are read back for it
  run.checked = true;
  run.command_line = command_line;
  std::size_t current = plan.points.size();
  run.on_unit = [&](const Point& point, const Regime& regime, bool skipped) {
    if (point.index != current) {
      current = point.index;
      terminal.start(point.config);
      if (plan.sweep() && !options.quiet) say("\n### point {}: {}\n", point.index, point.label());
    }
    if (skipped && !options.quiet) say("\n({}: finished in an earlier run, read from results.db)", regime.name());
  };
  if (group) {
    const std::string message = plan_message(options, text, threads);
    for (int r = 1; r < group->size(); ++r) group->send(r, kTagPlan, message);
    run.group = group;
    run.assignment = assignment;
    run.spread = spread;
    // One line per interval on stderr, terminal or not (a batch log), and one at the end.
    const auto start = std::chrono::steady_clock::now();
    auto last = start;
    run.progress = [&, start, last](const DistributedProgress& p) mutable {
      const auto now = std::chrono::steady_clock::now();
      if (options.quiet || (p.units_done < p.units_total && now - last < std::chrono::seconds(10))) return;
      last = now;
      const std::string spread =
          p.units_spread > 0 ? fmt::format(" ({} spread over them by replicates)", p.units_spread) : "";
      fmt::print(stderr, "ouroboros: {}/{} unit(s) done on {} processes{}, {:.1f} s; rank 0 wrote {} records in {:.2f} s "
                 "({:.0f} records/s)\n", p.units_done, p.units_total, group->size(), spread,
                 std::chrono::duration<double>(now - start).count(), p.records, p.write_seconds,
                 p.write_seconds > 0 ? static_cast<double>(p.records) / p.write_seconds : 0.0);
    };
  }
  DirectoryRunReport report;
  try {
    report = run_to_directory(plan, run);
  } catch (const RunCancelled&) {
    const int signal = interrupt_signal();
    fmt::print(stderr, "\nouroboros: interrupted; finished units (and checkpoints of unfinished replicate-major "
               "chains) are kept in {}; run the same command to resume (no CSV files were written)\n",
               (dir / "results.db").string());
    return signal == SIGTERM ? 143 : 130;
  }
  if (!options.quiet) {
    std::string list;
    for (const auto& f : report.files) list += (list.empty() ? "" : ", ") + f;
    say("\nwrote {} to {} in {:.2f} s ({} unit(s) run, {} resumed from results.db)\n", list, dir.string(),
        report.seconds, report.units_run, report.units_skipped);
  }
  return 0;
}

}  // namespace

int run_command(const RunOptions& options, const std::vector<std::string>& command_line) {
  // First of all: a signal that arrives while the plan is checked or the store opened is then a clean stop too.
  install_interrupt_handler();
  const std::unique_ptr<ProcessGroup> group = join_process_group();
  if (!group) return run_plan_command(options, command_line, nullptr);
  // A job: rank 0 reports; any error or interruption ends every process of the job with rank 0's exit status.
  int status = 0;
  try {
    status = group->rank() == 0 ? run_plan_command(options, command_line, group.get()) : serve(*group);
  } catch (const RunCancelled&) {
    status = interrupt_signal() == SIGTERM ? 143 : 130;
  } catch (const UserError& e) {
    if (group->rank() == 0) fmt::print(stderr, "ouroboros: error: {}\n", printable(e.what(), 2000, true));
    status = 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "ouroboros: internal error ({}): {}\n", group->where(), e.what());
    status = 1;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  if (status != 0) group->abort(status);
  return 0;
}

}  // namespace ouro
