// max_held_samples: the largest number of samples any generation holds, computed in O(1) for a constant schedule
// and by a pass over the generations otherwise; both agree, and the values are those of the regimes' definitions.
#include <gtest/gtest.h>

#include "ouroboros/regimes/regime.hpp"

namespace ouro {
namespace {

TEST(HeldSamples, ConstantAndExplicitSchedulesAgreeWithTheDefinitions) {
  const std::int64_t G = 7, n = 100;
  const SampleSchedule compact(G, n), spelled(std::vector<std::int64_t>(G, n));
  const std::vector<std::pair<const char*, long double>> expected{
      {"replace", 100},
      {"accumulate", 700},
      {"accumulate_subsample(size=50)", 700},  // the pool, from which the subsample is drawn
      {"grow", 700},
      {"accumulate(ratio=0.5)", 100 + 6 * 50},
      {"augment(ratio=0.5)", 150},
      {"fresh_mix(real_fraction=0.3)", 100},
      {"keep_real(fraction=0.3)", 100},
  };
  for (const auto& [text, value] : expected) {
    const Regime r = parse_regime(text);
    EXPECT_EQ(max_held_samples(r, compact), value) << text;
    EXPECT_EQ(max_held_samples(r, spelled), value) << text;
    EXPECT_EQ(compact.at(5), n);
    EXPECT_EQ(compact.generations(), G);
  }
  // A pool past 2^64 is still compared correctly (long double, no wrap).
  const SampleSchedule huge(1000, std::int64_t{1} << 62);
  EXPECT_GT(max_held_samples(parse_regime("accumulate"), huge), 1e20L);
  EXPECT_EQ(max_held_generation(parse_regime("accumulate"), huge), 1000);
}

}  // namespace
}  // namespace ouro
