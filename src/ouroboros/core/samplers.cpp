#include "ouroboros/core/samplers.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <cassert>
#include <cmath>
#include <numeric>

#include "ouroboros/core/binomial.hpp"
#include "ouroboros/core/binomial_lanes.hpp"

namespace ouro {

double draw_normal(Rng& rng) { return boost::random::normal_distribution<double>(0.0, 1.0)(rng); }

double draw_gamma(Rng& rng, double shape) {
  assert(shape > 0);
  if (shape < 1.0) {
    const double g = draw_gamma(rng, shape + 1.0);
    return g * std::pow(rng.uniform(), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = draw_normal(rng);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = rng.uniform();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
  }
}

std::int64_t draw_binomial(Rng& rng, std::int64_t trials, double p) {
  // Hand-written samplers (binomial.hpp): inversion for small means, BTRD (Hoermann 1993) from
  // kInversionMaxMean on. Both are exact; see binomial.hpp for why they replace Boost's.
  if (trials <= 0 || p <= 0.0) return 0;
  if (p >= 1.0) return trials;
  const bool flip = p > 0.5;
  const double q = flip ? 1.0 - p : p;  // exact: 1 - p has no rounding error for p in [0.5, 1]
  const std::int64_t x = static_cast<double>(trials) * q < binomial_detail::kInversionMaxMean
                             ? binomial_detail::binomial_inversion(rng, trials, q)
                             : binomial_detail::binomial_btrd(rng, trials, q);
  return flip ? trials - x : x;
}

std::int64_t draw_poisson(Rng& rng, double mean) {
  if (mean <= 0.0) return 0;
  return boost::random::poisson_distribution<std::int64_t, double>(mean)(rng);
}

namespace {
// lgamma_r, not std::lgamma: glibc's std::lgamma writes the global signgam, a data race when replicates draw
// hypergeometrics on several threads.
double log_gamma(double x) {
  int sign = 0;
  return ::lgamma_r(x, &sign);
}
double log_choose(double n, double k) { return log_gamma(n + 1) - log_gamma(k + 1) - log_gamma(n - k + 1); }
}  // namespace

std::int64_t draw_hypergeometric(Rng& rng, std::int64_t population, std::int64_t marked, std::int64_t draws) {
  assert(population >= 0 && marked >= 0 && marked <= population && draws >= 0 && draws <= population);
  const std::int64_t unmarked = population - marked;
  const std::int64_t lo = std::max<std::int64_t>(0, draws - unmarked);
  const std::int64_t hi = std::min(draws, marked);
  if (lo == hi) return lo;
  // Ratio f(x+1)/f(x) = (marked - x)(draws - x) / ((x + 1)(unmarked - draws + x + 1)).
  const auto up_ratio = [&](std::int64_t x) {
    return static_cast<double>(marked - x) * static_cast<double>(draws - x) /
           (static_cast<double>(x + 1) * static_cast<double>(unmarked - draws + x + 1));
  };
  std::int64_t mode = static_cast<std::int64_t>(
      std::floor((static_cast<double>(draws) + 1.0) * (static_cast<double>(marked) + 1.0) /
                 (static_cast<double>(population) + 2.0)));
  mode = std::clamp(mode, lo, hi);
  const double f_mode = std::exp(log_choose(marked, mode) + log_choose(unmarked, draws - mode) -
                                 log_choose(population, draws));
  double u = rng.uniform() - f_mode;
  if (u <= 0) return mode;
  // Chop down alternately below and above the mode, so the expected number of steps is O(sd).
  std::int64_t down = mode, up = mode;
  double f_down = f_mode, f_up = f_mode;
  while (down > lo || up < hi) {
    if (up < hi) {
      f_up *= up_ratio(up);
      ++up;
      u -= f_up;
      if (u <= 0) return up;
    }
    if (down > lo) {
      f_down /= up_ratio(down - 1);
      --down;
      u -= f_down;
      if (u <= 0) return down;
    }
  }
  return mode;  // rounding left a sliver of mass unassigned (probability ~1e-16): give it to the mode
}

void draw_multinomial(Rng& rng, std::int64_t trials, std::span<const double> weights,
                      std::span<const std::uint32_t> support, std::span<std::int64_t> out) {
  using binomial_detail::kBinomialLanes;
  constexpr std::size_t kLanes = kBinomialLanes, kMinLaneSupport = 4 * kLanes;
  const std::size_t size = support.size();
  if (size == 0) return;
  if (size < kMinLaneSupport) {
    // One sequential pass of conditional binomials; the last cell takes the rest.
    double rest = 0;
    for (const auto i : support) rest += weights[i];
    std::int64_t remaining = trials;
    for (std::size_t j = 0; j < size; ++j) {
      const auto i = support[j];
      const std::int64_t x = j + 1 == size ? remaining : draw_binomial(rng, remaining, rest > 0 ? weights[i] / rest : 0.0);
      out[i] = x;
      remaining -= x;
      rest -= weights[i];
    }
    return;
  }
  // Lane l takes the cells support[l], support[l + kLanes], ... The lanes' totals are a multinomial over the
  // lanes (conditional binomials from `rng`), and given them each lane is a multinomial of its own, drawn by a
  // sequential conditional-binomial pass with its own substream of `rng`. The passes go in lockstep, one cell
  // per lane per step on SIMD lanes (binomial_lanes.hpp). Strided rather than contiguous lanes, so that the
  // lanes of a step have cells of similar weight when the support is ordered by weight, and so mostly take the
  // same algorithm. The law is that of draw_binomial's sequential pass; the draws are not.
  double lane_weight[kLanes] = {};
  for (std::size_t base = 0; base < size; base += kLanes)
    for (std::size_t l = 0; l < kLanes && base + l < size; ++l) lane_weight[l] += weights[support[base + l]];
  std::int64_t remaining[kLanes];
  double total = 0;
  for (const double w : lane_weight) total += w;
  std::int64_t left = trials;
  for (std::size_t l = 0; l + 1 < kLanes; ++l) {
    remaining[l] = draw_binomial(rng, left, total > 0 ? lane_weight[l] / total : 0.0);
    left -= remaining[l];
    total -= lane_weight[l];
  }
  remaining[kLanes - 1] = left;
  Rng lane_rng[kLanes] = {rng.substream(), rng.substream(), rng.substream(), rng.substream(),
                          rng.substream(), rng.substream(), rng.substream(), rng.substream()};
  static_assert(kLanes == 8, "one substream per lane");
  binomial_detail::BinomialLanes step;
  for (std::size_t base = 0; base < size; base += kLanes) {
    bool drawn[kLanes];
    for (std::size_t l = 0; l < kLanes; ++l) {
      const std::size_t j = base + l;
      drawn[l] = false;
      step.trials[l] = 0;
      if (j >= size) continue;
      const auto i = support[j];
      if (remaining[l] == 0 || j + kLanes >= size) {  // nothing left, or the lane's last cell takes the rest
        out[i] = remaining[l];
        remaining[l] = 0;
        continue;
      }
      drawn[l] = true;
      step.trials[l] = remaining[l];
      step.p[l] = lane_weight[l] > 0 ? weights[i] / lane_weight[l] : 0.0;
    }
    binomial_detail::draw_binomial_lanes(lane_rng, step);
    for (std::size_t l = 0; l < kLanes; ++l) {
      if (!drawn[l]) continue;
      const auto i = support[base + l];
      out[i] = step.out[l];
      remaining[l] -= step.out[l];
      lane_weight[l] -= weights[i];
    }
  }
}

void draw_multivariate_hypergeometric(Rng& rng, std::int64_t draws, std::span<const std::int64_t> counts,
                                      std::span<const std::uint32_t> support, std::span<std::int64_t> out) {
  std::int64_t pool = 0;
  for (const auto i : support) pool += counts[i];
  assert(draws <= pool);
  std::int64_t remaining = draws;
  for (const auto i : support) {
    if (remaining == 0) {
      out[i] = 0;
      continue;
    }
    const std::int64_t x = draw_hypergeometric(rng, pool, counts[i], remaining);
    out[i] = x;
    remaining -= x;
    pool -= counts[i];
  }
}

}  // namespace ouro
