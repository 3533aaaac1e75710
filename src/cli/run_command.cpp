#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "commands.hpp"
#include "ouroboros/core/error.hpp"
#include "ouroboros/core/parallel.hpp"
#include "ouroboros/experiment/plan.hpp"
#include "ouroboros/experiment/plan_runner.hpp"
#include "ouroboros/io/atomic_file.hpp"
#include "ouroboros/io/csv_sink.hpp"
#include "ouroboros/io/manifest.hpp"
#include "ouroboros/io/sqlite_store.hpp"
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

// The files an earlier run listed in its manifest.json (empty when there is none or it cannot be read).
std::vector<std::string> files_of_earlier_manifest(const std::filesystem::path& dir) {
  std::ifstream in(dir / "manifest.json");
  if (!in) return {};
  try {
    const auto j = nlohmann::json::parse(in);
    return j.value("files", std::vector<std::string>{});
  } catch (const std::exception&) {
    return {};
  }
}

// Ours: a directory that does not exist yet, an empty one, or one holding an earlier Ouroboros output (a results.db
// or a manifest.json). Anything else is refused, so a mistyped output.dir never writes over someone's files.
void check_output_dir(const std::filesystem::path& dir) {
  const std::string text = dir.string();
  if (!valid_utf8(text))
    throw UserError(fmt::format("output.dir = \"{}\": not valid UTF-8 (the manifest records it); choose another name",
                                printable(text)));
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return;
  if (!std::filesystem::is_directory(dir, ec))
    throw UserError(fmt::format("output.dir = \"{}\": exists and is not a directory", printable(text)));
  if (std::filesystem::is_empty(dir, ec) || std::filesystem::exists(dir / "results.db", ec) ||
      std::filesystem::exists(dir / "manifest.json", ec))
    return;
  throw UserError(fmt::format("output.dir = \"{}\": holds files that are not an Ouroboros output; choose a new or "
                              "empty directory (nothing was written)",
                              printable(text)));
}

}  // namespace

int run_command(const RunOptions& options, const std::vector<std::string>& command_line) {
  const auto start = std::chrono::steady_clock::now();
  // First of all: a signal that arrives while the plan is checked or the store opened is then a clean stop too.
  install_interrupt_handler();
  Plan plan = load_plan(options.experiment, options.overrides);
  for (auto& p : plan.points) {
    if (!options.out_dir.empty()) {
      p.config.output_dir = options.out_dir;
      p.config.resolved["output"]["dir"] = options.out_dir;
    }
    if (options.threads >= 0) {
      p.config.threads = static_cast<unsigned>(options.threads);
      p.config.resolved["experiment"]["threads"] = options.threads;
    }
  }
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

  std::error_code ec;
  check_output_dir(dir);
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw UserError(fmt::format("output.dir = \"{}\": cannot create it: {}", printable(dir.string()), ec.message()));
  // Row chunks of a unit are only trusted beside the store that holds the unit (see below).
  if (options.fresh || !std::filesystem::exists(dir / "results.db")) std::filesystem::remove_all(dir / ".units", ec);
  // Temporaries of runs killed outright (SIGKILL, a power cut) are removed once their process is gone.
  remove_stale_temp_files(dir);
  for (const auto& sub : {dir / ".units", dir / "results.db.checkpoints"}) {
    std::error_code walk;
    for (auto it = std::filesystem::directory_iterator(sub, walk);
         !walk && it != std::filesystem::directory_iterator(); it.increment(walk))
      if (it->is_directory(walk)) remove_stale_temp_files(it->path());
  }
  SqliteStore store(dir / "results.db", plan, options.fresh);

  PointTerminal terminal(options.quiet);
  PlanObserver observer;
  observer.sink = &terminal;
  std::size_t current = plan.points.size();
  observer.unit = [&](const Point& point, const Regime& regime, bool skipped) {
    if (point.index != current) {
      current = point.index;
      terminal.start(point.config);
      if (plan.sweep() && !options.quiet) say("\n### point {}: {}\n", point.index, point.label());
    }
    if (skipped && !options.quiet) {
      // Its table comes from the store, as the run that computed it printed it.
      say("\n({}: finished in an earlier run, read from results.db)", regime.name());
      store.replay_unit(point.index, regime.name(), terminal);
    }
  };
  // Each unit's CSV rows are written beside the store as it runs (.units/<point>-<regime index>/), committed right
  // after the unit, and joined in plan order at the end: the CSV files need no second pass over the store. A
  // unit whose chunk is missing (finished in a run killed between the two commits) is written from the store.
  bool trajectories = false, forgetting = false;
  for (const auto& p : plan.points) {
    trajectories = trajectories || p.config.trajectories_every > 0;
    forgetting = forgetting || p.config.forgetting;
  }
  const std::filesystem::path chunks = dir / ".units";
  const auto chunk_of = [&](std::size_t point, std::size_t regime) {
    return chunks / fmt::format("{}-{}", point, regime);
  };
  std::unique_ptr<CsvSink> chunk;
  std::size_t chunk_point = 0;
  const unsigned threads = resolve_threads(first.threads);
  observer.begin_unit = [&](const Point& point, std::size_t regime) -> ResultSink* {
    chunk_point = point.index;
    std::filesystem::create_directories(chunk_of(point.index, regime));
    chunk = std::make_unique<CsvSink>(chunk_of(point.index, regime), trajectories, forgetting, threads,
                                      plan.sweep() ? &chunk_point : nullptr, false);
    return chunk.get();
  };
  observer.end_unit = [&](const Point&, std::size_t) {
    chunk->commit();
    chunk.reset();
  };
  PlanReport report;
  try {
    RunTuning tuning;
    tuning.cancel = CancelToken([] { return interrupted(); });
    report = run_plan(plan, store, observer, tuning);
  } catch (const RunCancelled&) {
    const int signal = interrupt_signal();
    fmt::print(stderr, "\nouroboros: interrupted; finished units (and checkpoints of unfinished replicate-major "
               "chains) are kept in {}; run the same command to resume (no CSV files were written)\n",
               (dir / "results.db").string());
    return signal == SIGTERM ? 143 : 130;
  }

  // Every unit is in the store: the CSV files are its chunks, in plan order.
  std::vector<std::filesystem::path> parts;
  for (const auto& p : plan.points)
    for (std::size_t r = 0; r < p.config.regimes.size(); ++r) {
      const auto part = chunk_of(p.index, r);
      if (!std::filesystem::exists(part / "summary.csv")) {
        std::filesystem::create_directories(part);
        chunk_point = p.index;
        CsvSink rebuilt(part, trajectories, forgetting, threads, plan.sweep() ? &chunk_point : nullptr, false);
        store.replay_unit(p.index, p.config.regimes[r].name(), rebuilt);
        rebuilt.commit();
      }
      parts.push_back(part);
    }
  // The new set of files is written beside the old one under temporary names, then published together: the old
  // manifest goes first, the CSV files are renamed into place, and the new manifest comes last. A failure before
  // the renames (a full disk) leaves the earlier set whole; a kill during them leaves no manifest, so the set is
  // never taken for complete, and the same command writes it again from results.db.
  std::vector<std::unique_ptr<AtomicFile>> staged;
  std::vector<std::string> written = join_csv_chunks(dir, parts, plan.sweep(), staged);
  if (plan.sweep()) {
    fmt::memory_buffer text;
    fmt::format_to(std::back_inserter(text), "point,point_id");
    for (const auto& k : plan.swept_keys) {
      text.push_back(',');
      append_csv_field(text, k);
    }
    text.push_back('\n');
    for (const auto& p : plan.points) {
      fmt::format_to(std::back_inserter(text), "{},{}", p.index, p.id);
      for (const auto& k : plan.swept_keys) {
        const auto& v = p.values[k];
        text.push_back(',');
        append_csv_field(text, v.is_string() ? v.get<std::string>() : v.dump());
      }
      text.push_back('\n');
    }
    staged.push_back(std::make_unique<AtomicFile>(dir / "points.csv"));
    staged.back()->write(std::string_view(text.data(), text.size()));
    staged.back()->finish();
    written.push_back("points.csv");
  }
  // Files of an earlier run that this run does not write would mislead: removed, but only those the earlier
  // manifest lists (this program wrote them); a file it did not write is never deleted.
  const std::vector<std::string> earlier = files_of_earlier_manifest(dir);
  written.push_back("results.db");
  written.push_back("manifest.json");
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  AtomicFile manifest(dir / "manifest.json");
  manifest.write(make_manifest(plan, store.units(), wall, written, command_line)
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
                 "\n");
  manifest.finish();
  std::filesystem::remove(dir / "manifest.json", ec);
  for (auto& f : staged) f->publish();
  for (const char* name : {"trajectories.csv", "forgetting.csv", "points.csv"})
    if (std::find(written.begin(), written.end(), name) == written.end() &&
        std::find(earlier.begin(), earlier.end(), name) != earlier.end())
      std::filesystem::remove(dir / name, ec);
  manifest.publish();
  std::filesystem::remove_all(chunks, ec);
  if (!options.quiet) {
    std::string list;
    for (const auto& f : written) list += (list.empty() ? "" : ", ") + f;
    say("\nwrote {} to {} in {:.2f} s ({} unit(s) run, {} resumed from results.db)\n", list, dir.string(),
               wall, report.units_run, report.units_skipped);
  }
  return 0;
}

}  // namespace ouro
