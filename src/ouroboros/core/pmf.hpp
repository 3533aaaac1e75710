#pragma once
// Probability mass functions for samplers that need one probability to start from (draw_hypergeometric starts
// its search at the mode). The binomial pmf is Loader's saddle-point form (C. Loader 2000, "Fast and accurate
// computation of binomial probabilities"): the Stirling-series error term of each factorial and the deviance
// bd0 are each small and computed without cancellation. A difference of log-gammas loses digits as the
// population grows, about ten of sixteen at 10^9. Here the ratio of neighbouring hypergeometric probabilities,
// over the mean +- 8 sd, was within 2e-14 of the exact ratio at populations of 10^7 and 10^9 and within 1.5e-13
// at 10^3 (tests/core/pmf_test.cpp checks 1e-13 at 10^9).
#include <cstdint>

namespace ouro::pmf {

// log(n!) - [log(sqrt(2 pi n)) + n log(n) - n], the error of Stirling's formula, for n >= 1. BTRD's fc(k)
// (binomial.hpp) is this at n = k + 1, kept there to the paper's three terms, since its draws depend on it.
double stirling_error(std::int64_t n);

// x log(x / np) + np - x, for x >= 0 and np > 0, without cancellation when x is near np.
double deviance(double x, double np);

// P(X = x) for X ~ Binomial(n, p), 0 <= x <= n, q = 1 - p given separately (so that it need not round).
double binomial(std::int64_t x, std::int64_t n, double p, double q);

// P(X = x) for X ~ Hypergeometric: x marked items in `draws` taken without replacement from `population`
// items of which `marked` are marked. x must lie in the support.
double hypergeometric(std::int64_t x, std::int64_t population, std::int64_t marked, std::int64_t draws);

}  // namespace ouro::pmf
