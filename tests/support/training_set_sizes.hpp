#pragma once
// A family whose models report the size of the training set they saw (a metric such as train_images): one chain per
// regime steps through the expected sizes, generation by generation, with n new samples each.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "ouroboros/engine/family.hpp"
#include "ouroboros/regimes/regime.hpp"

namespace ouro::testing {

using SizeCases = std::vector<std::pair<std::string, std::vector<double>>>;  // regime, size per generation

// `each(regime, metrics)` checks more after every step.
inline void expect_training_set_sizes(const Simulator& sim, const SizeCases& cases, std::int64_t n,
                                      const std::string& metric = "train_images",
                                      const std::function<void(const std::string&, std::span<const double>)>& each = {}) {
  std::size_t index = 0;
  while (index < sim.metrics().size() && sim.metrics()[index].name != metric) ++index;
  ASSERT_LT(index, sim.metrics().size()) << "no metric " << metric;
  for (const auto& [regime, sizes] : cases) {
    const SampleSchedule samples(std::vector<std::int64_t>(sizes.size(), n));
    auto chain = sim.chain(parse_regime(regime), KernelKind::kSample, samples, 1, 0);
    std::vector<double> out(sim.metrics().size());
    for (std::size_t g = 1; g <= sizes.size(); ++g) {
      chain->step(static_cast<std::int64_t>(g), out);
      EXPECT_EQ(out[index], sizes[g - 1]) << regime << " generation " << g;
      if (each) each(regime, out);
    }
  }
}

}  // namespace ouro::testing
