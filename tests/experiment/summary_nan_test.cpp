// A NaN among the values makes every statistic NaN (and must not hang the selection).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ouroboros/experiment/summary.hpp"

TEST(SummaryNan, AnyNanGivesNanEverywhere) {
  std::vector<double> v(100, 1.0);
  v[37] = std::numeric_limits<double>::quiet_NaN();
  const auto s = ouro::summarize(v);
  for (const double x : {s.mean, s.sd, s.se, s.q05, s.q50, s.q95}) EXPECT_TRUE(std::isnan(x));
}

TEST(SummaryNan, AllTiesTerminateAndAreExact) {
  std::vector<double> v(1000, 2.5);
  v[3] = 1.0;
  const auto s = ouro::summarize(v);
  EXPECT_EQ(s.q05, 2.5);
  EXPECT_EQ(s.q50, 2.5);
  EXPECT_EQ(s.q95, 2.5);
}
