#pragma once
// run_to_directory: a plan run into its output directory, the library call that `ouroboros run` and the Python
// package share. It checks the directory (new, empty, or an earlier Ouroboros output), opens or resumes
// results.db, runs the units not in it, writes every unit's CSV rows beside the store as it goes, and at the end
// publishes the CSV files (one long file per kind; a sweep's with a `point` column, and points.csv) and
// manifest.json together. Interrupted (the cancel token), it throws RunCancelled: finished units stay in the store
// and no CSV file is written; running the same plan again resumes.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "ouroboros/experiment/plan.hpp"
#include "ouroboros/experiment/plan_runner.hpp"
#include "ouroboros/experiment/distributed_runner.hpp"

namespace ouro {

struct DirectoryRunOptions {
  bool fresh = false;    // delete an existing results.db first
  bool checked = false;  // the caller has run check_plan(plan) already
  CancelToken cancel;  // polled before every generation of every chain
  // Optional front end: called as each unit starts or is skipped (finished in an earlier run), and a sink that gets
  // every summary row and the progress calls of a unit that runs, and the stored rows of a skipped one.
  std::function<void(const Point&, const Regime&, bool skipped)> on_unit;
  ResultSink* sink = nullptr;
  std::vector<std::string> command_line;  // recorded in manifest.json
  // A distributed run (this process is rank 0 of `group`, the other ranks serve units: distributed_runner.hpp);
  // null: this process runs every unit. `progress` is called after each unit is committed.
  Transport* group = nullptr;
  std::function<void(const DistributedProgress&)> progress;
  Assignment assignment = Assignment::kDynamic;
  Spread spread = Spread::kAuto;
};

struct DirectoryRunReport {
  std::filesystem::path dir;
  std::vector<std::string> files;  // written, relative to dir (manifest.json last)
  std::size_t units_run = 0, units_skipped = 0;
  double seconds = 0;
};

// --out and --threads (and their Python arguments): every point's output.dir and experiment.threads, resolved
// configuration included. An empty out_dir or a negative thread count leaves the file's value.
void override_output(Plan& plan, const std::string& out_dir, int threads);

// The output directory of a plan: its first point's output.dir.
std::filesystem::path output_directory(const Plan& plan);

DirectoryRunReport run_to_directory(const Plan& plan, const DirectoryRunOptions& options);

}  // namespace ouro
