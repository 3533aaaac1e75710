#pragma once
// Test statistics with tolerances derived from replicate counts.
#include <algorithm>
#include <cmath>
#include <vector>

namespace ouro::testing {

struct Moments {
  double mean = 0, se = 0;
};

inline Moments moments(const std::vector<double>& xs) {
  Moments m;
  for (const double x : xs) m.mean += x;
  m.mean /= static_cast<double>(xs.size());
  double ss = 0;
  for (const double x : xs) ss += (x - m.mean) * (x - m.mean);
  m.se = std::sqrt(ss / static_cast<double>(xs.size() - 1) / static_cast<double>(xs.size()));
  return m;
}

// |a - b| in units of the standard error of the difference of two independent means.
inline double z_difference(const Moments& a, const Moments& b) {
  const double se = std::hypot(a.se, b.se);
  if (se == 0) return a.mean == b.mean ? 0.0 : INFINITY;
  return std::abs(a.mean - b.mean) / se;
}

// Two-sample Kolmogorov-Smirnov statistic scaled by sqrt(n m / (n + m)); the asymptotic 0.1% critical value is
// 1.95 (conservative for discrete data with ties).
inline double ks_scaled(std::vector<double> a, std::vector<double> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::size_t i = 0, j = 0;
  double d = 0;
  while (i < a.size() && j < b.size()) {
    const double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= x) ++i;
    while (j < b.size() && b[j] <= x) ++j;
    d = std::max(d, std::abs(static_cast<double>(i) / a.size() - static_cast<double>(j) / b.size()));
  }
  const double n = static_cast<double>(a.size()), m = static_cast<double>(b.size());
  return d * std::sqrt(n * m / (n + m));
}

}  // namespace ouro::testing
