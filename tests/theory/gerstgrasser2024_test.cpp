// The closed forms of theory/gerstgrasser2024 against their definitions (direct sums) and stated limits.
#include "ouroboros/theory/gerstgrasser2024.hpp"

#include <gtest/gtest.h>

#include <numbers>
#include <stdexcept>

namespace ouro::theory {
namespace {

TEST(Gerstgrasser2024, MultipliersAreTheirSums) {
  double squares = 0, harmonic = 0;
  for (std::int64_t n = 1; n <= 200; ++n) {
    squares += 1.0 / static_cast<double>(n * n);
    harmonic += 1.0 / static_cast<double>(n);
    EXPECT_NEAR(accumulate_multiplier(n), squares, 1e-12) << n;
    EXPECT_NEAR(grow_multiplier(n), harmonic, 1e-12) << n;
    EXPECT_EQ(replace_multiplier(n), static_cast<double>(n));
  }
  EXPECT_EQ(accumulate_multiplier(0), 0.0);
  EXPECT_EQ(grow_multiplier(0), 0.0);
  EXPECT_LT(accumulate_multiplier(1000000), std::numbers::pi * std::numbers::pi / 6.0);
}

TEST(Gerstgrasser2024, OlsFitVariance) {
  EXPECT_DOUBLE_EQ(ols_fit_variance(2.0, 32, 100), 2.0 * 32.0 / 67.0);
  EXPECT_THROW(ols_fit_variance(1.0, 32, 33), std::invalid_argument);
  EXPECT_NO_THROW(ols_fit_variance(1.0, 32, 34));
}

}  // namespace
}  // namespace ouro::theory
