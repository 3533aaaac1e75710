#pragma once
// One-parameter families whose log-likelihood is n log(theta) - theta T + const, with T = sum t(x_i) and
// t(X) ~ Exponential(theta): the exponential family (t(x) = x, theta = the rate) and the power family
// p(x; theta) = theta x^(theta - 1) on (0, 1) (t(x) = -log x). Shared here: the exact law of the statistic,
// the closed-form MLE and the numerically optimised MLE (the theory is in rate_family.hpp).
//
// Exact law: T ~ Gamma(n, 1) / theta. MLE: theta = n / T.
// Optimised MLE: Brent's method (Boost.Math brent_find_minima) on the negative log-likelihood in u = log theta
// over u in [-40, 40]; it has not converged when it stops on an end of that interval or runs out of iterations.
#include <cstdint>

#include "ouroboros/core/rng.hpp"

namespace ouro {

struct RateStats {
  std::int64_t n = 0;
  double t_sum = 0;  // sum of t(x_i)
};

struct RateFit {
  double theta = 0;
  bool converged = true;
};

void draw_rate_stats(double theta, std::int64_t n, Rng& rng, RateStats& out);
RateFit rate_mle(const RateStats& s);
RateFit rate_mle_optimized(const RateStats& s);

}  // namespace ouro
