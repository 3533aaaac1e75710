#pragma once
// Summary statistics of one metric across replicates at one generation.
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace ouro {

struct SummaryStats {
  double mean = 0, sd = 0, se = 0, q05 = 0, q50 = 0, q95 = 0;
  double ci_lo = 0, ci_hi = 0;  // 95% confidence interval of the mean
  std::int64_t finite = 0;      // replicates whose value is finite
};

// mean; sd with divisor R - 1 (0 when R = 1); se = sd / sqrt(R); quantiles by linear interpolation between
// order statistics (numpy's default, Hyndman & Fan type 7). The mean and sd are computed about the first value
// (shifted data), so R equal values give that value and sd = 0 exactly, with no rounding noise.
// The interval is Wilson's score interval (z = 1.96) for an `indicator` (0/1 values: its mean is a
// probability, and an estimate of 0 or 1 still gets a width), and mean -+ 1.96 se otherwise.
// With infinite values the mean is +-inf and sd, se and the interval are NaN; with a NaN value every statistic
// is NaN. `finite` counts the finite values in every case. `values` must not be empty; it is reordered.
SummaryStats summarize(std::span<double> values, bool indicator = false);

// Wilson's score interval for `successes` out of `trials` at z (1.96: 95%).
std::pair<double, double> wilson_interval(double successes, double trials, double z = 1.96);

}  // namespace ouro
