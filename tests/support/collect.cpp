#include "support/collect.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace ouro::testing {

void CollectingSink::summary(const SummaryRow& row) {
  auto key = std::make_tuple(row.regime, row.generation, row.metric);
  rows[key] = Row{row.stats, row.theory};
  order.push_back(key);
}

void CollectingSink::trajectory(const std::string& regime, std::int64_t replicate, std::int64_t generation,
                                const std::string& metric, double value) {
  trajectories.push_back({regime, replicate, generation, metric, value});
}

void CollectingSink::forgetting(const std::string& regime, std::int64_t replicate, const std::string& item,
                                double original_count, std::int64_t forgotten_at) {
  forgotten.push_back({regime, replicate, item, original_count, forgotten_at});
}

const Row& CollectingSink::at(const std::string& regime, std::int64_t generation, const std::string& metric) const {
  const auto it = rows.find(std::make_tuple(regime, generation, metric));
  if (it == rows.end()) throw std::out_of_range(fmt::format("no row {} {} {}", regime, generation, metric));
  return it->second;
}

Run run_toml(const std::string& toml, const std::vector<std::string>& overrides, const RunTuning& tuning) {
  Run run;
  run.config = parse_config(toml, "test.toml", overrides);
  const auto simulator = make_simulator(run.config.truth_family, run.config.model_family);
  bind_samples(run.config, *simulator);
  run.report = run_experiment(run.config, *simulator, run.sink, tuning);
  return run;
}

std::string experiment_toml(const std::string& truth, const std::string& model, std::int64_t generations,
                            std::int64_t replicates, std::int64_t samples, const std::string& regimes,
                            const std::string& extra) {
  return fmt::format(
      "[experiment]\ngenerations = {}\nreplicates = {}\nseed = 7\nsamples = {}\nregimes = {}\n"
      "[truth]\nfamily = '{}'\n[model]\nfamily = '{}'\n{}",
      generations, replicates, samples, regimes, truth, model, extra);
}

}  // namespace ouro::testing
