#include "ouroboros/experiment/summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ouro {

namespace {
double quantile_sorted_prefix(std::span<double> v, double q) {
  // nth_element puts the order statistics we need in place; the neighbour is the min of the upper part.
  const double h = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lo), v.end());
  const double a = v[lo];
  if (lo + 1 >= v.size()) return a;
  const double b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo + 1), v.end());
  const double frac = h - static_cast<double>(lo);
  return frac == 0 ? a : a + frac * (b - a);
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
  s.q05 = quantile_sorted_prefix(values, 0.05);
  s.q50 = quantile_sorted_prefix(values, 0.50);
  s.q95 = quantile_sorted_prefix(values, 0.95);
  return s;
}

}  // namespace ouro
