#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "commands.hpp"
#include "ouroboros/core/error.hpp"
#include "ouroboros/core/parallel.hpp"
#include "ouroboros/experiment/config.hpp"
#include "ouroboros/experiment/runner.hpp"
#include "ouroboros/io/atomic_file.hpp"
#include "ouroboros/io/csv_sink.hpp"
#include "ouroboros/io/manifest.hpp"
#include "terminal_sink.hpp"

namespace ouro {

int run_command(const RunOptions& options, const std::vector<std::string>& command_line) {
  const auto start = std::chrono::steady_clock::now();
  ExperimentConfig config = load_config(options.experiment, options.overrides);
  if (!options.out_dir.empty()) {
    config.output_dir = options.out_dir;
    config.resolved["output"]["dir"] = options.out_dir;
  }
  if (options.threads >= 0) {
    config.threads = static_cast<unsigned>(options.threads);
    config.resolved["experiment"]["threads"] = options.threads;
  }
  const auto simulator = make_simulator(config.truth_family, config.model_family);
  bind_samples(config, *simulator);
  check_against_family(config, *simulator);  // every input error is reported before anything is written

  const std::filesystem::path dir(config.output_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UserError(fmt::format("output.dir = \"{}\": cannot create it: {}", dir.string(), ec.message()));

  if (!options.quiet && !config.table_dropped.empty()) {
    std::string list;
    for (const auto g : config.table_dropped) list += (list.empty() ? "" : ", ") + std::to_string(g);
    fmt::print(stderr, "ouroboros: output.table: generation(s) {} past the last generation {} not shown\n", list,
               config.generations);
  }
  install_interrupt_handler();
  const bool forgetting = config.forgetting && simulator->items() > 0;
  std::unique_ptr<CsvSink> csv;
  try {
    csv = std::make_unique<CsvSink>(dir, config.trajectories_every > 0, forgetting, resolve_threads(config.threads));
  } catch (const std::runtime_error& e) {
    throw UserError(fmt::format("output.dir = \"{}\": {}", dir.string(), e.what()));
  }
  CsvSink& files = *csv;
  TerminalSink terminal(config, files, options.quiet, stdout);
  RunReport report;
  try {
    report = run_experiment(config, *simulator, terminal);
  } catch (const RunCancelled&) {
    fmt::print(stderr, "\nouroboros: interrupted; no output files were written\n");
    return 130;
  }
  std::vector<std::string> written = files.commit();
  // Outputs of an earlier run into the same directory that this run did not produce would mislead: remove them.
  for (const char* name : {"trajectories.csv", "forgetting.csv"})
    if (std::find(written.begin(), written.end(), name) == written.end()) std::filesystem::remove(dir / name, ec);
  written.push_back("manifest.json");
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_file_atomically(dir / "manifest.json",
                        make_manifest(config, *simulator, report, wall, written, command_line).dump(2) + "\n");
  if (!options.quiet) {
    std::string list;
    for (const auto& f : written) list += (list.empty() ? "" : ", ") + f;
    fmt::print("\nwrote {} to {} in {:.2f} s ({} threads)\n", list, dir.string(), wall, report.threads);
  }
  return 0;
}

}  // namespace ouro
