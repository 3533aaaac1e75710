// Checks the Barzilai & Shamir (NeurIPS 2025) accumulate closed form against the recursion it comes from and
// against an exact linear-algebra computation of the pooled MLE that does not use the telescoped recursion.
#include "ouroboros/theory/barzilai_shamir2025.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <stdexcept>
#include <vector>

namespace ouro::theory {
namespace {

TEST(BarzilaiShamir, LimitIsPiSquaredOverSix) {
  EXPECT_DOUBLE_EQ(accumulated_variance_ratio_limit(), std::numbers::pi * std::numbers::pi / 6.0);
}

TEST(BarzilaiShamir, OneRoundIsTheSampleMeanVariance) {
  EXPECT_EQ(accumulated_mean_variance(2.0, 10, 0), 0.0);  // mu^(0) = mu*
  EXPECT_NEAR(accumulated_mean_variance(2.0, 10, 1), 0.2, 1e-15);
  EXPECT_NEAR(accumulated_mean_variance(1.0, 1, 1), 1.0, 1e-15);
}

TEST(BarzilaiShamir, MatchesTheVarianceRecursion) {
  // Var_{t+1} = Var_t + sigma^2/(n (t+1)^2), Var_0 = 0, from mu^(t+1) = mu^(t) + eps_t/(t+1).
  const double sigma_sq = 3.0;
  const std::int64_t n = 7;
  double var = 0.0;
  for (std::int64_t t = 0; t < 5000; ++t) {
    const double next = static_cast<double>(t + 1);
    var += sigma_sq / (static_cast<double>(n) * next * next);
    ASSERT_NEAR(accumulated_mean_variance(sigma_sq, n, t + 1), var, 1e-14 * var) << t + 1;
  }
}

TEST(BarzilaiShamir, MatchesThePooledMleAsALinearFunctionOfTheBatchNoises) {
  // Write mu^(t) - mu* = sum_s c_s^(t) eta_s, with eta_s ~ N(0, sigma^2/n) the mean noise of batch s (drawn
  // in round s around mu^(s)). The pooled MLE after rounds 0..t is the mean of the t+1 batch means:
  //   c^(t+1) = (1/(t+1)) sum_{s<=t} (c^(s) + e_s),
  // so Var(mu^(T) - mu*) = (sigma^2/n) |c^(T)|^2 exactly, with no telescoping assumed.
  const double sigma_sq = 1.5;
  const std::int64_t n = 20;
  const int rounds = 60;
  std::vector<std::vector<double>> c{std::vector<double>(rounds, 0.0)};  // c^(0) = 0: mu^(0) = mu*
  for (int t = 0; t < rounds; ++t) {
    std::vector<double> next(rounds, 0.0);
    for (int s = 0; s <= t; ++s) {
      for (int j = 0; j < rounds; ++j) next[j] += c[s][j];
      next[s] += 1.0;
    }
    for (double& x : next) x /= static_cast<double>(t + 1);
    c.push_back(next);
    double norm_sq = 0.0;
    for (const double x : next) norm_sq += x * x;
    const double exact = sigma_sq / static_cast<double>(n) * norm_sq;
    EXPECT_NEAR(accumulated_mean_variance(sigma_sq, n, t + 1), exact, 1e-13 * exact) << t + 1;
  }
}

TEST(BarzilaiShamir, IncreasesToTheLimit) {
  const double sigma_sq = 2.0;
  const std::int64_t n = 50;
  const double limit = accumulated_variance_ratio_limit() * sigma_sq / static_cast<double>(n);
  double previous = 0.0;
  for (std::int64_t k = 1; k <= 10000; ++k) {
    const double v = accumulated_mean_variance(sigma_sq, n, k);
    ASSERT_GT(v, previous) << k;
    ASSERT_LT(v, limit) << k;
    previous = v;
  }
  // The tail sum_{t>k} 1/t^2 lies between 1/(k+1) and 1/k.
  for (const std::int64_t k : {10, 1000, 1000000}) {
    const double gap =
        (limit - accumulated_mean_variance(sigma_sq, n, k)) * static_cast<double>(n) / sigma_sq;
    const double kd = static_cast<double>(k);
    EXPECT_GT(gap, 1.0 / (kd + 1.0) * (1.0 - 1e-6)) << k;
    EXPECT_LT(gap, 1.0 / kd * (1.0 + 1e-6)) << k;
  }
}

TEST(BarzilaiShamir, InvalidInputsThrow) {
  EXPECT_THROW(accumulated_mean_variance(1.0, 0, 3), std::invalid_argument);
  EXPECT_THROW(accumulated_mean_variance(1.0, 5, -1), std::invalid_argument);
}

}  // namespace
}  // namespace ouro::theory
