#include "ouroboros/families/common/rate_mle.hpp"

#include <boost/math/tools/minima.hpp>
#include <cmath>
#include <cstdint>

#include "ouroboros/core/samplers.hpp"

namespace ouro {

namespace {
constexpr double kLogThetaBound = 40.0;
constexpr std::uintmax_t kMaxIterations = 200;
}  // namespace

void draw_rate_stats(double theta, std::int64_t n, Rng& rng, RateStats& out) {
  out.n = n;
  out.t_sum = n > 0 ? draw_gamma(rng, static_cast<double>(n)) / theta : 0.0;
}

RateFit rate_mle(const RateStats& s) { return {static_cast<double>(s.n) / s.t_sum, true}; }

RateFit rate_mle_optimized(const RateStats& s) {
  const double n = static_cast<double>(s.n), t = s.t_sum;
  // Negative log-likelihood in u = log theta: -(n u - e^u T). Convex in u, so Brent finds the optimum when it
  // lies inside the interval.
  const auto nll = [&](double u) { return -(n * u - std::exp(u) * t); };
  std::uintmax_t iterations = kMaxIterations;
  const auto [u, value] =
      boost::math::tools::brent_find_minima(nll, -kLogThetaBound, kLogThetaBound, 52, iterations);
  (void)value;
  const bool at_edge = std::abs(std::abs(u) - kLogThetaBound) < 1e-6;
  return {std::exp(u), iterations < kMaxIterations && !at_edge};
}

}  // namespace ouro
