#include "ouroboros/experiment/summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

namespace ouro {

namespace {

// Partial reordering so that v[k] holds the value it would hold if [first, last) were sorted, everything
// before it is <= and everything after it >=. Hand-written instead of std::nth_element: summaries run once
// per generation and metric over the replicates (10^5 times in a long run), and on random data the
// library's partition mispredicts a branch per element; this branch-free Lomuto partition halves the cost
// of a summary of 100 values. The values must not be NaN (summarize checks).
void select(std::span<double> v, std::size_t first, std::size_t last, std::size_t k) {
  while (last - first > 16) {
    // Median of three as the pivot value.
    const double a = v[first], b = v[first + (last - first) / 2], c = v[last - 1];
    const double pivot = std::max(std::min(a, b), std::min(std::max(a, b), c));
    // [first, i) < pivot <= [i, last)
    std::size_t i = first;
    for (std::size_t j = first; j < last; ++j) {
      const double x = v[j];
      v[j] = v[i];
      v[i] = x;
      i += x < pivot;
    }
    if (k < i) {
      last = i;
      continue;
    }
    if (i > first) {
      first = i;
      continue;
    }
    // Nothing was below the pivot, so it is the minimum: split off the values equal to it. The part is never
    // empty (the pivot is one of the values), so runs of ties terminate.
    std::size_t e = i;
    for (std::size_t j = i; j < last; ++j) {
      const double x = v[j];
      v[j] = v[e];
      v[e] = x;
      e += x <= pivot;
    }
    if (k < e) return;
    first = e;
  }
  // Insertion sort of the short remainder.
  for (std::size_t i = first + 1; i < last; ++i) {
    const double x = v[i];
    std::size_t j = i;
    for (; j > first && v[j - 1] > x; --j) v[j] = v[j - 1];
    v[j] = x;
  }
}

// Type-7 quantile of v[lo_bound, hi_bound) where the caller guarantees the order statistics needed lie in
// that range (after a partition around the median). One selection and one min scan: O(size).
double quantile(std::span<double> v, double q, std::size_t lo_bound, std::size_t hi_bound) {
  const double h = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  select(v, lo_bound, hi_bound, lo);
  const double a = v[lo];
  const double frac = h - static_cast<double>(lo);
  if (frac == 0 || lo + 1 >= v.size()) return a;
  // The next order statistic is the smallest value after position lo (selection leaves them unordered);
  // it lies in (lo, hi_bound) when that range is not empty, else just past it.
  const std::size_t scan_end = lo + 1 < hi_bound ? hi_bound : v.size();
  const double b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo + 1),
                                     v.begin() + static_cast<std::ptrdiff_t>(scan_end));
  return a == b ? a : a + frac * (b - a);  // a == b: also keeps inf (inf - inf would be NaN)
}

}  // namespace

std::pair<double, double> wilson_interval(double successes, double trials, double z) {
  const double p = successes / trials, z2 = z * z;
  const double centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const double half = z / (1 + z2 / trials) * std::sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials));
  // At p = 0 or 1 the interval touches that end exactly (centre - half is 0 up to rounding).
  return {p == 0 ? 0.0 : std::max(0.0, centre - half), p == 1 ? 1.0 : std::min(1.0, centre + half)};
}

SummaryStats summarize(std::span<double> values, bool indicator) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  SummaryStats s;
  const double r = static_cast<double>(values.size());
  bool has_nan = false;
  double sum = 0, shift = values[0];
  if (!std::isfinite(shift)) shift = 0;
  for (const double x : values) {
    s.finite += std::isfinite(x);
    has_nan = has_nan || std::isnan(x);
    sum += x - shift;
  }
  if (has_nan) {
    const auto finite = s.finite;
    s = SummaryStats{nan, nan, nan, nan, nan, nan, nan, nan, finite};
    return s;
  }
  s.mean = shift + sum / r;
  if (s.finite < static_cast<std::int64_t>(values.size())) {
    s.mean = sum / r;  // +-inf (or NaN when both signs appear)
    s.sd = s.se = s.ci_lo = s.ci_hi = nan;
  } else {
    if (values.size() > 1) {
      // Second pass about the mean of the shifted values: exactly zero for equal values.
      const double d = sum / r;
      double ss = 0;
      for (const double x : values) ss += (x - shift - d) * (x - shift - d);
      s.sd = std::sqrt(ss / (r - 1));
      s.se = s.sd / std::sqrt(r);
    }
    if (indicator) {
      std::tie(s.ci_lo, s.ci_hi) = wilson_interval(s.mean * r, r);
    } else {
      s.ci_lo = s.mean - 1.96 * s.se;
      s.ci_hi = s.mean + 1.96 * s.se;
    }
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
