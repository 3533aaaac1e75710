#pragma once
// Test support: run an experiment given as TOML text in-process and keep every summary row, trajectory and
// forgetting row in memory.
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "ouroboros/experiment/config.hpp"
#include "ouroboros/experiment/runner.hpp"
#include "ouroboros/experiment/sink.hpp"

namespace ouro::testing {

struct Row {
  SummaryStats stats;
  TheoryValue theory;
};

struct Trajectory {
  std::string regime;
  std::int64_t replicate, generation;
  std::string metric;
  double value;
  bool operator==(const Trajectory&) const = default;
};

struct Forgetting {
  std::string regime;
  std::int64_t replicate;
  std::string item;
  double original_count;
  std::int64_t forgotten_at;
  bool operator==(const Forgetting&) const = default;
};

class CollectingSink final : public ResultSink {
 public:
  void summary(const SummaryRow& row) override;
  void trajectory(const std::string& regime, std::int64_t replicate, std::int64_t generation,
                  const std::string& metric, double value) override;
  void forgetting(const std::string& regime, std::int64_t replicate, const std::string& item, double original_count,
                  std::int64_t forgotten_at) override;

  const Row& at(const std::string& regime, std::int64_t generation, const std::string& metric) const;

  std::map<std::tuple<std::string, std::int64_t, std::string>, Row> rows;
  std::vector<std::tuple<std::string, std::int64_t, std::string>> order;
  std::vector<Trajectory> trajectories;
  std::vector<Forgetting> forgotten;
};

struct Run {
  ExperimentConfig config;
  RunReport report;
  CollectingSink sink;
};

// Parses `toml` (with overrides), binds the family, runs it.
Run run_toml(const std::string& toml, const std::vector<std::string>& overrides = {}, const RunTuning& tuning = {});

// A minimal experiment file body for a family, with the given sizes. The specs go into TOML literal strings, so
// they may hold double quotes (corpus paths) but no single quote.
std::string experiment_toml(const std::string& truth, const std::string& model, std::int64_t generations,
                            std::int64_t replicates, std::int64_t samples, const std::string& regimes,
                            const std::string& extra = "");

}  // namespace ouro::testing
