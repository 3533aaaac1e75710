#include "ouroboros/io/run_directory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/parallel.hpp"
#include "ouroboros/io/atomic_file.hpp"
#include "ouroboros/io/csv_sink.hpp"
#include "ouroboros/io/manifest.hpp"
#include "ouroboros/io/sqlite_store.hpp"

namespace ouro {

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

void override_output(Plan& plan, const std::string& out_dir, int threads) {
  for (auto& p : plan.points) {
    if (!out_dir.empty()) {
      p.config.output_dir = out_dir;
      p.config.resolved["output"]["dir"] = out_dir;
    }
    if (threads >= 0) {
      p.config.threads = static_cast<unsigned>(threads);
      p.config.resolved["experiment"]["threads"] = threads;
    }
  }
}

std::filesystem::path output_directory(const Plan& plan) { return plan.points.front().config.output_dir; }

DirectoryRunReport run_to_directory(const Plan& plan, const DirectoryRunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const ExperimentConfig& first = plan.points.front().config;
  const std::filesystem::path dir = output_directory(plan);
  if (!options.checked)
    check_plan(plan, options.group ? spread_processes(plan, options.group->size(), options.spread) : 1);  // every input error is reported before anything is written
  std::error_code ec;
  check_output_dir(dir);
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw UserError(fmt::format("output.dir = \"{}\": cannot create it: {}", printable(dir.string()), ec.message()));
  // Temporaries of runs killed outright (SIGKILL, a power cut) are removed once their process is gone.
  remove_stale_temp_files(dir);
  {
    std::error_code walk;
    for (auto it = std::filesystem::directory_iterator(dir / "results.db.checkpoints", walk);
         !walk && it != std::filesystem::directory_iterator(); it.increment(walk))
      if (it->is_directory(walk)) remove_stale_temp_files(it->path());
  }
  SqliteStore store(dir / "results.db", plan, options.fresh);
  // Row chunks are joined only by the process that wrote them (see below): those of an earlier run are removed,
  // once the store's lock says that no other process runs here.
  std::filesystem::remove_all(dir / ".units", ec);

  PlanObserver observer;
  observer.sink = options.sink;
  observer.unit = [&](const Point& point, const Regime& regime, bool skipped) {
    if (options.on_unit) options.on_unit(point, regime, skipped);
    // A skipped unit's rows come from the store, as the run that computed it produced them.
    if (skipped && options.sink) store.replay_unit(point.index, regime.name(), *options.sink);
  };
  // Each unit's CSV rows are written beside the store as it runs (.units/<point>-<regime index>/), committed right
  // after the unit, and joined in plan order at the end: the CSV files need no second pass over the store. The
  // chunks are not synced to disk (each sync took about 10 ms, once per unit): they are only read by this
  // process, which removed any left by an earlier one, so a unit finished in an earlier run (resumed) is written
  // from the store, and a chunk never stands in for rows a power cut could have lost.
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
                                      plan.sweep() ? &chunk_point : nullptr, false, /*durable=*/false);
    return chunk.get();
  };
  observer.end_unit = [&](const Point&, std::size_t) {
    chunk->commit();
    chunk.reset();
  };
  RunTuning tuning;
  tuning.cancel = options.cancel;
  // RunCancelled passes through.
  const PlanReport report = options.group && options.group->size() > 1
                                ? run_plan_distributed(plan, store, observer, tuning, *options.group, options.progress,
                                                       options.assignment, options.spread)
                                : run_plan(plan, store, observer, tuning);

  // Every unit is in the store: the CSV files are its chunks, in plan order.
  std::vector<std::filesystem::path> parts;
  for (const auto& p : plan.points)
    for (std::size_t r = 0; r < p.config.regimes.size(); ++r) {
      const auto part = chunk_of(p.index, r);
      if (!std::filesystem::exists(part / "summary.csv")) {
        std::filesystem::create_directories(part);
        chunk_point = p.index;
        CsvSink rebuilt(part, trajectories, forgetting, threads, plan.sweep() ? &chunk_point : nullptr, false,
                        /*durable=*/false);
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
  manifest.write(make_manifest(plan, store.units(), wall, written, options.command_line)
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
  return {dir, written, report.units_run, report.units_skipped, wall};
}

}  // namespace ouro
