// summarize(): exact small cases and a sort-based reference for the type-7 (numpy default) quantiles.
#include "ouroboros/experiment/summary.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

namespace ouro {
namespace {

// Hyndman & Fan type 7 on a sorted copy: h = q (n - 1), x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
double reference_quantile(std::vector<double> x, double q) {
  std::sort(x.begin(), x.end());
  const double h = q * static_cast<double>(x.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, x.size() - 1);
  return x[lo] + (h - static_cast<double>(lo)) * (x[hi] - x[lo]);
}

TEST(SummaryTest, OneToFour) {
  std::vector<double> v{3, 1, 4, 2};
  const SummaryStats s = summarize(v);
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_DOUBLE_EQ(s.sd, std::sqrt(5.0 / 3.0));
  EXPECT_DOUBLE_EQ(s.se, std::sqrt(5.0 / 3.0) / 2.0);
  // numpy.quantile([1, 2, 3, 4], [0.05, 0.5, 0.95]) = [1.15, 2.5, 3.85]
  EXPECT_DOUBLE_EQ(s.q05, 1.15);
  EXPECT_DOUBLE_EQ(s.q50, 2.5);
  EXPECT_DOUBLE_EQ(s.q95, 3.85);
}

TEST(SummaryTest, OddLengthMedianIsTheMiddleValue) {
  std::vector<double> v{10, -2, 7, 3, 0};
  const SummaryStats s = summarize(v);
  EXPECT_DOUBLE_EQ(s.mean, 3.6);
  EXPECT_DOUBLE_EQ(s.q50, 3.0);
  EXPECT_DOUBLE_EQ(s.q05, -2 + 0.2 * 2);  // h = 0.2 between -2 and 0
  EXPECT_DOUBLE_EQ(s.q95, 7 + 0.8 * 3);   // h = 3.8 between 7 and 10
  // sum of squared deviations: 6.4^2 + 5.6^2 + 3.4^2 + 0.6^2 + 3.6^2 = 97.2
  EXPECT_DOUBLE_EQ(s.sd, std::sqrt(97.2 / 4));
  EXPECT_DOUBLE_EQ(s.se, std::sqrt(97.2 / 4) / std::sqrt(5.0));
}

TEST(SummaryTest, SingleValue) {
  std::vector<double> v{7.25};
  const SummaryStats s = summarize(v);
  EXPECT_EQ(s.mean, 7.25);
  EXPECT_EQ(s.sd, 0.0);
  EXPECT_EQ(s.se, 0.0);
  EXPECT_EQ(s.q05, 7.25);
  EXPECT_EQ(s.q50, 7.25);
  EXPECT_EQ(s.q95, 7.25);
}

TEST(SummaryTest, ConstantValuesHaveZeroSpread) {
  std::vector<double> v(17, -0.5);
  const SummaryStats s = summarize(v);
  EXPECT_DOUBLE_EQ(s.mean, -0.5);
  EXPECT_EQ(s.sd, 0.0);
  EXPECT_EQ(s.q05, -0.5);
  EXPECT_EQ(s.q95, -0.5);
}

TEST(SummaryTest, InfiniteValues) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> v{1, inf, 2};
  const SummaryStats s = summarize(v);
  EXPECT_EQ(s.mean, inf);
  EXPECT_TRUE(std::isnan(s.sd));
  EXPECT_TRUE(std::isnan(s.se));
  EXPECT_DOUBLE_EQ(s.q05, 1.1);  // h = 0.1 between 1 and 2
  EXPECT_EQ(s.q50, 2.0);         // h = 1 exactly
  EXPECT_EQ(s.q95, inf);         // h = 1.9 between 2 and inf

  std::vector<double> w{-inf, 0, 5};
  const SummaryStats t = summarize(w);
  EXPECT_EQ(t.mean, -inf);
  EXPECT_TRUE(std::isnan(t.sd));
  EXPECT_EQ(t.q50, 0.0);
  EXPECT_DOUBLE_EQ(t.q95, 4.5);
}

TEST(SummaryTest, MatchesSortBasedReferenceOnRandomVectors) {
  std::mt19937_64 gen(12345);
  std::uniform_int_distribution<int> length(1, 300);
  std::normal_distribution<double> normal(3.0, 10.0);
  std::uniform_int_distribution<int> small(-3, 3);
  for (int trial = 0; trial < 1000; ++trial) {
    const int n = trial < 400 ? trial % 20 + 1 : length(gen);  // every small length many times, then any
    const bool ties = trial % 3 == 0;  // every third vector has many repeated values
    std::vector<double> v(static_cast<std::size_t>(n));
    for (auto& x : v) x = ties ? small(gen) : normal(gen);
    const std::vector<double> original = v;

    const SummaryStats s = summarize(v);

    std::vector<double> sorted_in = v, sorted_orig = original;  // summarize only reorders
    std::sort(sorted_in.begin(), sorted_in.end());
    std::sort(sorted_orig.begin(), sorted_orig.end());
    ASSERT_EQ(sorted_in, sorted_orig) << "trial " << trial;

    const double mean = std::accumulate(original.begin(), original.end(), 0.0) / n;
    double ss = 0;
    for (const double x : original) ss += (x - mean) * (x - mean);
    const double sd = n > 1 ? std::sqrt(ss / (n - 1)) : 0.0;
    const double scale = 1e-12 * (1 + std::abs(mean) + sd);
    EXPECT_NEAR(s.mean, mean, scale) << "trial " << trial;
    EXPECT_NEAR(s.sd, sd, scale) << "trial " << trial;
    EXPECT_NEAR(s.se, sd / std::sqrt(static_cast<double>(n)), scale) << "trial " << trial;
    EXPECT_DOUBLE_EQ(s.q05, reference_quantile(original, 0.05)) << "trial " << trial << " n " << n;
    EXPECT_DOUBLE_EQ(s.q50, reference_quantile(original, 0.50)) << "trial " << trial << " n " << n;
    EXPECT_DOUBLE_EQ(s.q95, reference_quantile(original, 0.95)) << "trial " << trial << " n " << n;
    EXPECT_LE(s.q05, s.q50);
    EXPECT_LE(s.q50, s.q95);
  }
}

}  // namespace
}  // namespace ouro
