// summarize(): the finite count, the confidence interval (Wilson's for indicators), and exact results for equal
// values (no rounding noise where the answer is exact).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ouroboros/experiment/summary.hpp"

namespace ouro {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(SummaryInterval, EqualValuesGiveThatValueAndZeroSpreadExactly) {
  // 0.1 summed 1000 times is not 100 in floating point; about the first value it is exact.
  for (const double x : {0.1, 1.0 / 3.0, 7e5 + 0.3, -2.2e-9}) {
    std::vector<double> v(1000, x);
    const SummaryStats s = summarize(v);
    EXPECT_EQ(s.mean, x);
    EXPECT_EQ(s.sd, 0.0);
    EXPECT_EQ(s.se, 0.0);
    EXPECT_EQ(s.ci_lo, x);
    EXPECT_EQ(s.ci_hi, x);
  }
}

TEST(SummaryInterval, NormalIntervalIsMeanPlusMinus196Se) {
  std::vector<double> v{3, 1, 4, 2};
  const SummaryStats s = summarize(v);
  EXPECT_DOUBLE_EQ(s.ci_lo, 2.5 - 1.96 * s.se);
  EXPECT_DOUBLE_EQ(s.ci_hi, 2.5 + 1.96 * s.se);
  EXPECT_EQ(s.finite, 4);
}

TEST(SummaryInterval, WilsonIntervalForIndicators) {
  // 0 successes in 100: the interval is [0, z^2/(n + z^2)], not the degenerate [0, 0] of mean -+ 1.96 se.
  std::vector<double> zeros(100, 0.0);
  const SummaryStats s0 = summarize(zeros, true);
  EXPECT_EQ(s0.se, 0.0);
  EXPECT_EQ(s0.ci_lo, 0.0);
  EXPECT_NEAR(s0.ci_hi, 1.96 * 1.96 / (100 + 1.96 * 1.96), 1e-15);
  std::vector<double> ones(100, 1.0);
  const SummaryStats s1 = summarize(ones, true);
  EXPECT_EQ(s1.ci_hi, 1.0);
  EXPECT_NEAR(s1.ci_lo, 100 / (100 + 1.96 * 1.96), 1e-15);
  // 30 of 100: Wilson's centre (p + z^2/2n)/(1 + z^2/n) and half-width, by hand.
  std::vector<double> v(100, 0.0);
  for (int i = 0; i < 30; ++i) v[static_cast<std::size_t>(i)] = 1.0;
  const SummaryStats s = summarize(v, true);
  const double z2 = 1.96 * 1.96, n = 100, p = 0.3;
  const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = 1.96 / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  EXPECT_NEAR(s.ci_lo, centre - half, 1e-15);
  EXPECT_NEAR(s.ci_hi, centre + half, 1e-15);
}

TEST(SummaryInterval, FiniteCountsEveryCase) {
  std::vector<double> v{1, kInf, 2, kInf};
  const SummaryStats s = summarize(v);
  EXPECT_EQ(s.finite, 2);
  EXPECT_EQ(s.mean, kInf);
  EXPECT_TRUE(std::isnan(s.ci_lo) && std::isnan(s.ci_hi));
  std::vector<double> w{1, std::numeric_limits<double>::quiet_NaN(), 2};
  const SummaryStats t = summarize(w);
  EXPECT_EQ(t.finite, 2);
  EXPECT_TRUE(std::isnan(t.mean));
  std::vector<double> x{kInf, 1, 2};  // an infinite first value is no shift
  EXPECT_EQ(summarize(x).mean, kInf);
}

}  // namespace
}  // namespace ouro
