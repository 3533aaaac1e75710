#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "commands.hpp"
#include "ouroboros/core/error.hpp"
#include "ouroboros/experiment/plan.hpp"
#include "ouroboros/experiment/plan_runner.hpp"
#include "ouroboros/io/run_directory.hpp"
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
  bool progress(std::size_t i, std::int64_t g) override { return terminal_->progress(i, g); }

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

}  // namespace

int run_command(const RunOptions& options, const std::vector<std::string>& command_line) {
  // First of all: a signal that arrives while the plan is checked or the store opened is then a clean stop too.
  install_interrupt_handler();
  Plan plan = load_plan(options.experiment, options.overrides);
  override_output(plan, options.out_dir, options.threads);
  const ExperimentConfig& first = plan.points.front().config;
  const std::filesystem::path dir(first.output_dir);
  check_plan(plan);  // every input error is reported before anything is written
  if (options.dry_run) {
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

}  // namespace ouro
