#pragma once
// The experiment file (TOML) and its validation. Every key is documented in the README ("Experiment file");
// unknown keys and impossible values throw UserError naming the key, the value and what is allowed.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ouroboros/engine/family.hpp"
#include "ouroboros/regimes/regime.hpp"

namespace ouro {

// Which scheduler runs a unit (DESIGN.md, Engine v2). Both give identical records.
//   generation: every replicate's chain alive at once, advanced block of generations by block (cheap families).
//   replicate:  each replicate's chain run from generation 1 to G on its own, checkpointed every k generations,
//               at most the family's max_chains at once (heavy families).
//   auto:       replicate for a family whose resource hint says heavy, generation otherwise.
enum class SchedulerKind { kAuto, kGeneration, kReplicate };

struct ExperimentConfig {
  std::int64_t generations = 0;
  std::int64_t replicates = 100;
  std::uint64_t seed = 1;
  SampleSchedule samples;
  bool samples_real = false;  // samples = "real": filled from the family by bind_samples
  std::vector<Regime> regimes;
  KernelKind kernel = KernelKind::kStatistics;
  unsigned threads = 0;  // 0: all cores
  SchedulerKind scheduler = SchedulerKind::kAuto;
  std::int64_t checkpoint_every = 1;  // replicate scheduler: save each chain every k generations (0: never)
  double memory_limit_gib = 0;        // refuse a run whose memory estimate exceeds this (0: the memory available)
  std::string truth_family;
  std::string model_family;
  std::vector<Threshold> thresholds;
  // metrics.first: per replicate, the first generation T at which the event holds, recorded at generation k as
  // min(T, k + 1), so the mean at k is the restricted mean E[min(T, k + 1)] and never undefined.
  std::vector<Threshold> first_passages;
  std::vector<std::string> selected_metrics;  // family metrics to record; empty: all
  // experiment.until: stop at the first generation where the event holds in every replicate (G is then a cap).
  std::optional<Threshold> until;
  std::string output_dir;
  std::int64_t trajectories_every = 0;  // 0: no trajectories.csv
  bool forgetting = true;
  // output.checkpoints: every generation's fitted model of every replicate kept as a file (models/ in the run
  // directory), readable by `ouroboros model`. Families whose models can be archived only.
  bool model_files = false;
  std::vector<std::int64_t> table_generations;  // generations shown on stdout; empty: automatic
  std::vector<std::int64_t> table_dropped;      // output.table entries past G (e.g. after --set generations)
  // [figure]: how `ouroboros plot` draws this experiment by default (the paper's axes); no record depends on it.
  std::vector<std::string> figure_metrics;  // metrics or threshold labels; empty: every metric
  std::string figure_x = "generation";      // or a swept key: the metric at figure_generations against its values
  std::vector<std::int64_t> figure_generations;  // swept x only; empty: the last generation
  std::string figure_x_scale = "auto", figure_y_scale = "auto";  // auto, linear or log
  std::string figure_band = "se";                                 // se or quantile
  nlohmann::json resolved;                      // every key with its value after defaults and overrides
};

// The text of an experiment file; UserError when it cannot be read.
std::string read_experiment_file(const std::string& path);

// Reads `path`, applies `overrides` ("section.key=value", value in TOML syntax or a bare string), validates.
ExperimentConfig load_config(const std::string& path, const std::vector<std::string>& overrides);
ExperimentConfig parse_config(const std::string& toml_text, const std::string& source_name,
                              const std::vector<std::string>& overrides);

// "sigma > 0.1" -> Threshold; the metric is checked against the family later (check_thresholds). `key` names
// the configuration key in error messages.
Threshold parse_threshold(const std::string& text, const std::string& key = "metrics.thresholds");
void check_thresholds(const std::vector<Threshold>& thresholds, const std::vector<MetricInfo>& metrics,
                      const std::string& key = "metrics.thresholds");
// The output name of a first-passage metric: "first(switched>0.5)".
std::string first_passage_label(const Threshold& t);

// samples = "real": sets n for every generation to the size of the real data set behind the family's truth
// (Simulator::real_sample_size), and records it in `resolved`. Throws UserError for a family without one.
// Does nothing for a numeric samples key. Call it before check_against_family.
void bind_samples(ExperimentConfig& config, const Simulator& simulator);

inline constexpr std::int64_t kMaxGenerations = 1000000000;

// The most samples any generation may hold (its pool under accumulate, k n_k under grow): 2^53.
inline constexpr long double kMaxHeldSamples = 9007199254740992.0L;

// Checks that need both the config and the bound family (sizes against the family, subsample sizes, and every
// regime's largest pool against kMaxHeldSamples).
void check_against_family(const ExperimentConfig& config, const Simulator& simulator);

// The documented keys, section by section, for --help and error messages.
const std::vector<std::pair<std::string, std::vector<std::string>>>& config_keys();

}  // namespace ouro
