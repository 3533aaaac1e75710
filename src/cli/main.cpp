// ouroboros: the command-line front end. Thin by design: parsing options and printing; all work is in the
// library (src/ouroboros).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

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
         "\nOutputs in the output directory (written atomically):\n"
         "  summary.csv       regime,generation,metric,mean,sd,se,q05,q50,q95,theory_lo,theory,theory_hi\n"
         "  trajectories.csv  regime,replicate,generation,metric,value   (output.trajectories = true or k)\n"
         "  forgetting.csv    regime,replicate,symbol,original_count,forgotten_at   (families with symbols)\n"
         "  manifest.json     resolved config, seed, version, git commit, kernels, theory sources, wall time, machine\n"
         "\nExit status: 0 success, 2 bad input (one line names the key, the value and what is allowed),\n"
         "130 interrupted (no output files written), 1 internal error.\n"
         "The experiment file's keys are documented in the README (section 'Experiment file').";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ouroboros: a laboratory for model collapse (generative models retrained on their own samples)"};
  app.set_version_flag("--version", fmt::format("ouroboros {} ({})", ouro::kVersion, ouro::kGitHash));
  app.require_subcommand(1);

  ouro::RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "Run an experiment file: every regime, replicates x generations");
  run_cmd->add_option("experiment", run.experiment, "Experiment file (TOML)")->required();
  run_cmd->add_option("--set", run.overrides,
                      "Override a key: section.key=value (TOML value syntax), e.g. --set experiment.replicates=50")
      ->allow_extra_args(false);
  run_cmd->add_option("--out", run.out_dir, "Output directory (overrides output.dir)");
  run_cmd->add_option("--threads", run.threads, "Worker threads (overrides experiment.threads; 0: all cores)")
      ->check(CLI::NonNegativeNumber);
  run_cmd->add_flag("--quiet,-q", run.quiet, "No table on stdout and no progress on stderr");
  run_cmd->footer(run_footer());

  std::string family_name;
  CLI::App* families_cmd =
      app.add_subcommand("families", "List every family: parameters, defaults, estimators, metrics, kernels");
  families_cmd->add_option("name", family_name, "Show only this family");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    if (*run_cmd) return ouro::run_command(run, std::vector<std::string>(argv, argv + argc));
    if (*families_cmd) return ouro::families_command(family_name);
  } catch (const ouro::UserError& e) {
    fmt::print(stderr, "ouroboros: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "ouroboros: internal error: {}\n", e.what());
    return 1;
  }
  return 0;
}
