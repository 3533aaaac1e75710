#include "ouroboros/experiment/summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ouro {

namespace {

// Type-7 quantile of v[lo_bound, hi_bound) where the caller guarantees the order statistics needed lie in
// that range (after a partition around the median). Only nth_element and one min scan: O(size).
double quantile(std::span<double> v, double q, std::size_t lo_bound, std::size_t hi_bound) {
  const double h = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  std::nth_element(v.begin() + static_cast<std::ptrdiff_t>(lo_bound), v.begin() + static_cast<std::ptrdiff_t>(lo),
                   v.begin() + static_cast<std::ptrdiff_t>(hi_bound));
  const double a = v[lo];
  const double frac = h - static_cast<double>(lo);
  if (frac == 0 || lo + 1 >= v.size()) return a;
  // The next order statistic is the smallest value after position lo (nth_element leaves them unordered);
  // it lies in (lo, hi_bound) when that range is not empty, else just past it.
  const std::size_t scan_end = lo + 1 < hi_bound ? hi_bound : v.size();
  const double b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo + 1),
                                     v.begin() + static_cast<std::ptrdiff_t>(scan_end));
  return a == b ? a : a + frac * (b - a);  // a == b: also keeps inf (inf - inf would be NaN)
}

}  // namespace

SummaryStats summarize(std::span<double> values) {
  SummaryStats s;
  const double r = static_cast<double>(values.size());
  bool finite = true;
  for (const double x : values) {
    s.mean += x;
    finite = finite && std::isfinite(x);
  }
  s.mean /= r;
  if (!finite) {
    s.sd = s.se = std::numeric_limits<double>::quiet_NaN();
  } else if (values.size() > 1) {
    double ss = 0;
    for (const double x : values) ss += (x - s.mean) * (x - s.mean);
    s.sd = std::sqrt(ss / (r - 1));
    s.se = s.sd / std::sqrt(r);
  }
  // The median partitions the values; q05 is then found in the lower part and q95 in the upper part, whose
  // order statistics stay in place. The min scans for the interpolation neighbours run over short tails.
  const std::size_t n = values.size();
  const auto mid = static_cast<std::size_t>(std::floor(0.5 * static_cast<double>(n - 1)));
  s.q50 = quantile(values, 0.50, 0, n);
  s.q05 = quantile(values, 0.05, 0, mid + 1);
  s.q95 = quantile(values, 0.95, mid, n);
  return s;
}

}  // namespace ouro
