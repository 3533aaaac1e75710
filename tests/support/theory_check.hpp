#pragma once
// Simulation against theory with a tolerance from the replicate count: |mean - theory| <= 4 se, the bounds
// likewise; every value must say what kind of result it is.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "support/collect.hpp"

namespace ouro::testing {

// `unit` > 0: the metric lies in [0, 1] (an indicator) over that many replicates, so its sd is at most
// sqrt(t) for a mean t; that bounds the se where every replicate happened to agree (sample se 0).
inline void expect_agrees(const Row& row, const std::string& what, double unit = 0) {
  const auto& s = row.stats;
  const auto& t = row.theory;
  ASSERT_FALSE(std::isnan(t.mid) && std::isnan(t.lo) && std::isnan(t.hi)) << what << ": no theory";
  ASSERT_NE(t.kind, TheoryKind::kNone) << what;
  double se = s.se;
  if (unit > 0) {
    const double expected = std::max(std::isnan(t.mid) ? 0.0 : t.mid, std::isnan(t.lo) ? 0.0 : t.lo);
    se = std::max(se, std::sqrt(std::min(1.0, expected) / unit));
  }
  const double tol = 4 * se + 1e-12;
  if (!std::isnan(t.mid)) {
    EXPECT_NEAR(s.mean, t.mid, tol) << what << " (" << t.source << ")";
  }
  if (!std::isnan(t.lo)) {
    EXPECT_GE(s.mean, t.lo - tol) << what << " (" << t.source << ")";
  }
  if (!std::isnan(t.hi)) {
    EXPECT_LE(s.mean, t.hi + tol) << what << " (" << t.source << ")";
  }
}

}  // namespace ouro::testing
