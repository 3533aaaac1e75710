#pragma once
// Summary statistics of one metric across replicates at one generation.
#include <span>
#include <vector>

namespace ouro {

struct SummaryStats {
  double mean = 0, sd = 0, se = 0, q05 = 0, q50 = 0, q95 = 0;
};

// mean; sd with divisor R - 1 (0 when R = 1); se = sd / sqrt(R); quantiles by linear interpolation between
// order statistics (numpy's default, Hyndman & Fan type 7). With infinite values the mean is +-inf and
// sd, se are NaN; with a NaN value every statistic is NaN. `values` must not be empty; it is reordered.
SummaryStats summarize(std::span<double> values);

}  // namespace ouro
