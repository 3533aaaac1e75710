#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ouro {

struct RunOptions {
  std::string experiment;
  std::vector<std::string> overrides;
  std::string out_dir;
  int threads = -1;  // -1: from the experiment file
  bool quiet = false;
  bool fresh = false;    // delete an existing results.db first
  bool dry_run = false;  // print the plan only
};

struct PlotOptions {
  std::string results;
  std::vector<std::string> metrics;  // empty: every metric
  std::string format = "png";
  std::string band;     // empty: the experiment's figure.band, else se
  std::string x_scale;  // empty: the experiment's figure.x_scale, else auto
  std::string y_scale;
  std::string x;                         // empty: the experiment's figure.x, else generation; or a swept key
  std::vector<std::int64_t> generations;  // with a swept x; empty: figure.generations, else the last
  std::string out;  // empty: RESULTS/figures/summary.FORMAT
};

struct ModelOptions {
  std::string file;
  std::int64_t samples = 0;  // > 0: print this many samples drawn from the model instead of its metrics
  std::uint64_t seed = 1;
  bool json = false;
};

int run_command(const RunOptions& options, const std::vector<std::string>& command_line);
int plot_command(const PlotOptions& options);  // replaces this process with python3 -m ouroboros.plot
int report_command(const std::string& results, const std::string& out);  // ... with python3 -m ouroboros.report
int model_command(const ModelOptions& options);
int families_command(const std::string& name, bool json);  // json: the descriptors as a JSON array

}  // namespace ouro
