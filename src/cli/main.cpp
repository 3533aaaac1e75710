// ouroboros: the command-line front end. Thin by design: parsing options and printing; all work is in the
// library (src/ouroboros).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <exception>

#include "commands.hpp"
#include "ouroboros/core/error.hpp"
#include "ouroboros/regimes/regime.hpp"
#include "ouroboros/version.hpp"

namespace {

std::string run_footer() {
  std::string regimes;
  for (const auto& line : ouro::regime_help()) regimes += "  " + line + "\n";
  return "Regimes (experiment.regimes):\n" + regimes +
         "\nA [sweep] table runs several points (every combination of its lists; `zip` groups keys that vary\n"
         "together; `seed = \"per_point\"` gives each point its own seed): see the README, section 'Sweeps'.\n"
         "\nOutputs in the output directory:\n"
         "  results.db        every record in SQLite: run, points, units (ledger), summary, trajectories, forgetting;\n"
         "                    written unit by unit, so an interrupted run is resumed by running the same command\n"
         "  summary.csv       regime,generation,metric,mean,sd,se,ci_lo,ci_hi,q05,q50,q95,finite,theory_lo,theory,\n"
         "                    theory_hi,theory_kind,theory_source\n"
         "  trajectories.csv  regime,replicate,generation,metric,value   (output.trajectories = true or k)\n"
         "  forgetting.csv    regime,replicate,symbol,original_count,forgotten_at   (families with symbols)\n"
         "  points.csv        point,point_id,<swept keys>   (sweeps; every CSV then starts with a point column)\n"
         "  manifest.json     resolved config, seed, version, git commit, kernels, theory sources, wall time, machine\n"
         "  models/           p<point>-<regime>/r<replicate>-g<generation>.model: every fitted model (output.checkpoints\n"
         "                    = true; read them with `ouroboros model`)\n"
         "The CSV files are written atomically when every unit is done.\n"
         "\nExit status: 0 success, 2 bad input (one line names the key, the value and what is allowed; nothing\n"
         "is written), 130 interrupted by SIGINT, 143 by SIGTERM (finished units stay in results.db; run the\n"
         "same command to resume), 1 internal error.\n"
         "The experiment file's keys are documented in the README (section 'Experiment file').";
}

}  // namespace

int main(int argc, char** argv) {
  // A reader that goes away (`ouroboros run ... | head`) must not kill the run: stdout writes then fail, and the
  // table is dropped (terminal_sink.hpp, say), while every file is still written.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"ouroboros: a laboratory for model collapse (generative models retrained on their own samples)"};
  app.set_version_flag("--version", fmt::format("ouroboros {} ({})", ouro::kVersion, ouro::kGitHash));
  app.require_subcommand(1);

  ouro::RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "Run an experiment file: every regime, replicates x generations (under mpirun: spread over the processes, rank 0 writing the store)");
  run_cmd->add_option("experiment", run.experiment, "Experiment file (TOML)")->required();
  run_cmd->add_option("--set", run.overrides,
                      "Override a key: section.key=value (TOML value syntax), e.g. --set experiment.replicates=50; "
                      "model.family.P=v (or truth.family.P=v) sets one parameter of the family spec")
      ->allow_extra_args(false);
  run_cmd->add_option("--out", run.out_dir, "Output directory (overrides output.dir)");
  run_cmd->add_option("--threads", run.threads, "Worker threads (overrides experiment.threads; 0: all cores)")
      ->check(CLI::Range(0, 1024));
  run_cmd->add_flag("--quiet,-q", run.quiet, "No table on stdout and no progress on stderr");
  run_cmd->add_flag("--fresh", run.fresh,
                    "Delete the results.db of an earlier run in the output directory and start over");
  run_cmd->add_flag("--dry-run", run.dry_run, "Print the resolved points and work units, run nothing");
  run_cmd->footer(run_footer());

  std::string family_name;
  CLI::App* families_cmd =
      app.add_subcommand("families", "List every family: parameters, defaults, estimators, metrics, kernels");
  families_cmd->add_option("name", family_name, "Show only this family");
  bool families_json = false;
  families_cmd->add_flag("--json", families_json,
                         "Print the descriptors as JSON: parameters (name, type, default, computed_default, "
                         "required, allowed, min, max, min_exclusive, max_exclusive, help), estimators, metrics "
                         "(name, help, indicator), kernels, weighted_fit, checkpoints, fit_context, fixed_points, "
                         "resources (heavy, max_chains)");

  ouro::ModelOptions model;
  CLI::App* model_cmd = app.add_subcommand(
      "model", "Read a model file kept by output.checkpoints (RESULTS/models/p<point>-<regime>/r<replicate>-g<gen>."
               "model): the family is rebuilt from the specs in the file, and the model's metrics are printed");
  model_cmd->add_option("file", model.file, "A .model file")->required();
  model_cmd->add_option("--samples", model.samples,
                        "Print this many samples drawn from the model instead, one per line (a sentence's text, a "
                        "number, a vector's coordinates separated by spaces)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000000}));
  model_cmd->add_option("--seed", model.seed, "Seed of --samples (default 1): the stream (seed, 0, 0, synthetic)");
  model_cmd->add_flag("--json", model.json,
                      "Print JSON instead: header (the file's header: ouroboros_version, truth, model, seed, point, "
                      "regime, replicate, generation), metrics (name -> value, null where not finite), and samples "
                      "with --samples");

  ouro::PlotOptions plot;
  CLI::App* plot_cmd = app.add_subcommand(
      "plot", "Draw a run's summary (matplotlib): one panel per metric and point, one line per regime, the mean with "
              "a band, theory dashed and bounds shaded");
  plot_cmd->add_option("results", plot.results, "Output directory of a run")->required();
  plot_cmd->add_option("--metric", plot.metrics, "A metric to draw (repeat; default: every metric)")
      ->allow_extra_args(false);
  plot_cmd->add_option("--format", plot.format, "png (default), pdf or svg")
      ->check(CLI::IsMember({"png", "pdf", "svg"}));
  plot_cmd->add_option("--band", plot.band,
                       "se: mean +- 2 se; quantile: the q05-q95 band (default: the experiment's figure.band, else se)")
      ->check(CLI::IsMember({"se", "quantile"}));
  plot_cmd->add_option("--x-scale", plot.x_scale, "auto, linear or log (default: the experiment's figure.x_scale)")
      ->check(CLI::IsMember({"auto", "linear", "log"}));
  plot_cmd->add_option("--y-scale", plot.y_scale, "auto, linear or log (default: the experiment's figure.y_scale)")
      ->check(CLI::IsMember({"auto", "linear", "log"}));
  plot_cmd->add_option("--x", plot.x,
                       "generation, or a swept key (in full or its last part): the metric at the chosen generations "
                       "against the swept values (default: the experiment's figure.x, else generation)");
  plot_cmd->add_option("--generation", plot.generations,
                       "With a swept --x: a generation to draw (repeat; default: figure.generations, else the last)")
      ->allow_extra_args(false);
  plot_cmd->add_option("--out", plot.out, "File to write (default: RESULTS/figures/summary.FORMAT)");

  std::string report_results, report_out;
  CLI::App* report_cmd = app.add_subcommand(
      "report", "Write a self-contained HTML report of a run: interactive charts (Vega-Lite, inlined), the manifest, "
                "the theory sources and the last generation's table");
  report_cmd->add_option("results", report_results, "Output directory of a run")->required();
  report_cmd->add_option("--out", report_out, "File to write (default: RESULTS/report.html)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // The same one-line form as every other bad input.
    fmt::print(stderr, "ouroboros: error: {} (see ouroboros --help)\n", ouro::printable(e.what(), 300, true));
    return 2;
  }
  try {
    if (*run_cmd) return ouro::run_command(run, std::vector<std::string>(argv, argv + argc));
    if (*families_cmd) return ouro::families_command(family_name, families_json);
    if (*model_cmd) return ouro::model_command(model);
    if (*plot_cmd) return ouro::plot_command(plot);
    if (*report_cmd) return ouro::report_command(report_results, report_out);
  } catch (const ouro::UserError& e) {
    // One line whatever the input held: control bytes are escaped, and a runaway message is cut.
    fmt::print(stderr, "ouroboros: error: {}\n", ouro::printable(e.what(), 2000, true));
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "ouroboros: internal error: {}\n", e.what());
    return 1;
  }
  return 0;
}
