#include "ouroboros/core/samplers.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <cassert>
#include <cmath>
#include <numeric>

#include "ouroboros/core/binomial.hpp"

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

namespace {

// One sequential conditional-binomial pass over part of a multinomial's support.
struct MultinomialPass {
  const std::uint32_t* index;
  std::size_t size, next = 0;
  std::int64_t remaining;
  double remaining_weight;

  bool done() const { return next == size; }
  void step(Rng& rng, std::span<const double> weights, std::span<std::int64_t> out) {
    const auto i = index[next++];
    if (remaining == 0 || next == size) {  // nothing left, or the last cell takes the rest
      out[i] = remaining;
      remaining = 0;
      return;
    }
    const double w = weights[i];
    const std::int64_t x = draw_binomial(rng, remaining, remaining_weight > 0 ? w / remaining_weight : 0.0);
    out[i] = x;
    remaining -= x;
    remaining_weight -= w;
  }
};

}  // namespace

void draw_multinomial(Rng& rng, std::int64_t trials, std::span<const double> weights,
                      std::span<const std::uint32_t> support, std::span<std::int64_t> out) {
  if (support.empty()) return;
  // Split the support into up to kParts contiguous parts: the parts' totals are a multinomial over the parts
  // (conditional binomials), and given them the parts are independent multinomials. Their passes are
  // interleaved so that several independent chains of binomial draws are in flight (within a pass each draw
  // waits for the previous one's result); the law is unchanged.
  constexpr std::size_t kParts = 4, kMinPart = 32;
  const std::size_t parts = std::clamp<std::size_t>(support.size() / kMinPart, 1, kParts);
  MultinomialPass pass[kParts];
  double total = 0;
  for (std::size_t p = 0; p < parts; ++p) {
    const std::size_t begin = support.size() * p / parts, end = support.size() * (p + 1) / parts;
    double w = 0;
    for (std::size_t j = begin; j < end; ++j) w += weights[support[j]];
    pass[p] = MultinomialPass{support.data() + begin, end - begin, 0, 0, w};
    total += w;
  }
  std::int64_t remaining = trials;
  for (std::size_t p = 0; p + 1 < parts; ++p) {
    pass[p].remaining = draw_binomial(rng, remaining, total > 0 ? pass[p].remaining_weight / total : 0.0);
    remaining -= pass[p].remaining;
    total -= pass[p].remaining_weight;
  }
  pass[parts - 1].remaining = remaining;
  for (bool busy = true; busy;) {
    busy = false;
    for (std::size_t p = 0; p < parts; ++p)
      if (!pass[p].done()) {
        pass[p].step(rng, weights, out);
        busy = true;
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
