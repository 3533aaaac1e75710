#pragma once
// The plan of a run: the experiment file expanded into points (one per combination of a [sweep] table, or the
// one point of a file without it), each a validated ExperimentConfig with a stable id. A (point, regime) pair is
// one work unit: its records are computed from (seed, replicate, generation, stream) alone, so a unit can be
// rerun on its own and gives the same bits.
//
//   [sweep]
//   "experiment.samples" = [10, 100]            # each key a grid axis: every combination is a point
//   "truth.family" = ["gaussian(sd=1)", "gaussian(sd=2)"]
//   zip = [["truth.family", "model.family"]]    # keys in one group vary together (lists of equal length)
//   seed = "shared"                              # default: every point uses experiment.seed (paired points,
//                                                # common random numbers); "per_point": a seed derived from it and
//                                                # the point's swept values
// Points are numbered 0, 1, ... with the first swept key (in file order) varying slowest.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ouroboros/experiment/config.hpp"

namespace ouro {

struct Point {
  std::size_t index = 0;
  std::string id;           // 16 hex digits, a hash of the point's resolved configuration (results_identity)
  nlohmann::json values;    // swept key -> value, as in the file (empty object without a sweep)
  ExperimentConfig config;  // validated (not yet bound to the family)
  std::string text;         // "experiment.samples=10, truth.family=gaussian(sd=1)", in file order ("" without a sweep)
  const std::string& label() const { return text; }
};

struct Plan {
  std::vector<Point> points;
  std::vector<std::string> swept_keys;  // in file order; empty without a sweep
  std::string seed_mode = "shared";
  bool sweep() const { return !swept_keys.empty(); }
  // What a resume must match: every point's results_identity.
  nlohmann::json identity() const;
};

// Reads the experiment file (with --set overrides, which may not name a swept key) and expands its sweep.
// Throws UserError for a bad sweep: an unknown key, an empty list, zipped lists of different lengths, a key
// both swept and set, or a point that is invalid (named by its values).
Plan load_plan(const std::string& path, const std::vector<std::string>& overrides);
Plan parse_plan(const std::string& toml_text, const std::string& source_name, const std::vector<std::string>& overrides);

// The resolved configuration without what changes no record: output.dir, output.table, experiment.threads.
nlohmann::json results_identity(const ExperimentConfig& config);

}  // namespace ouro
