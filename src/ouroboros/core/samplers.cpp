#include "ouroboros/core/samplers.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <cassert>
#include <cmath>
#include <numeric>
#include <vector>

#include "ouroboros/core/binomial.hpp"
#include "ouroboros/core/pmf.hpp"

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
  const double f_mode = pmf::hypergeometric(mode, population, marked, draws);
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

// Splits `support` into up to kParts contiguous parts whose passes are interleaved, so that several independent
// chains of draws are in flight (within a pass each draw waits for the previous one's result). The parts'
// totals come first, as the same kind of conditional draw over the parts; given them, the parts are
// independent, so the law is unchanged. `Pass` holds one part: its indices, its `remaining` draws and the
// `remaining_mass` they are drawn from; draw(rng, trials, mass, total) draws one conditional count.
constexpr std::size_t kParts = 4, kMinPart = 32;

template <class Pass, class MassOf, class Draw>
void interleaved_passes(Rng& rng, std::int64_t trials, std::span<const std::uint32_t> support, MassOf mass_of,
                        Draw draw, std::span<std::int64_t> out) {
  if (support.empty()) return;
  const std::size_t parts = std::clamp<std::size_t>(support.size() / kMinPart, 1, kParts);
  Pass pass[kParts];
  typename Pass::Mass total = 0;
  for (std::size_t p = 0; p < parts; ++p) {
    const std::size_t begin = support.size() * p / parts, end = support.size() * (p + 1) / parts;
    typename Pass::Mass w = 0;
    for (std::size_t j = begin; j < end; ++j) w += mass_of(support[j]);
    pass[p] = Pass{support.data() + begin, end - begin, 0, 0, w};
    total += w;
  }
  std::int64_t remaining = trials;
  for (std::size_t p = 0; p + 1 < parts; ++p) {
    pass[p].remaining = draw(rng, remaining, pass[p].remaining_mass, total);
    remaining -= pass[p].remaining;
    total -= pass[p].remaining_mass;
  }
  pass[parts - 1].remaining = remaining;
  for (bool busy = true; busy;) {
    busy = false;
    for (std::size_t p = 0; p < parts; ++p)
      if (!pass[p].done()) {
        pass[p].step(rng, mass_of, draw, out);
        busy = true;
      }
  }
}

// One sequential pass of conditional draws over part of the support.
template <class M>
struct Pass {
  using Mass = M;
  const std::uint32_t* index;
  std::size_t size, next = 0;
  std::int64_t remaining;
  Mass remaining_mass;

  bool done() const { return next == size; }
  template <class MassOf, class Draw>
  void step(Rng& rng, MassOf mass_of, Draw draw, std::span<std::int64_t> out) {
    const auto i = index[next++];
    if (remaining == 0 || next == size) {  // nothing left, or the last cell takes the rest
      out[i] = remaining;
      remaining = 0;
      return;
    }
    const Mass w = mass_of(i);
    const std::int64_t x = draw(rng, remaining, w, remaining_mass);
    out[i] = x;
    remaining -= x;
    remaining_mass -= w;
  }
};

}  // namespace

void draw_multinomial(Rng& rng, std::int64_t trials, std::span<const double> weights,
                      std::span<const std::uint32_t> support, std::span<std::int64_t> out) {
  interleaved_passes<Pass<double>>(
      rng, trials, support, [&](std::uint32_t i) { return weights[i]; },
      [](Rng& r, std::int64_t n, double w, double total) { return draw_binomial(r, n, total > 0 ? w / total : 0.0); },
      out);
}

namespace {

// A uniform integer in [0, range), exactly: Lemire (2019), "Fast random integer generation in an interval",
// ACM TOMS 45(1), the multiply-and-reject method without a division on the common path. Boost's
// uniform_int_distribution (used elsewhere for shuffles) divides on every call; here the trim calls this about
// 4 sqrt(draws) times per generation, and stream layout 2 is defined by these draws.
__extension__ using Uint128 = unsigned __int128;  // GCC and Clang: the full 64 x 64-bit product

std::uint64_t uniform_below(Rng& rng, std::uint64_t range) {
  assert(range > 0);
  Uint128 product = static_cast<Uint128>(rng()) * range;
  auto low = static_cast<std::uint64_t>(product);
  if (low < range) {
    const std::uint64_t threshold = (0 - range) % range;  // 2^64 mod range
    while (low < threshold) {
      product = static_cast<Uint128>(rng()) * range;
      low = static_cast<std::uint64_t>(product);
    }
  }
  return static_cast<std::uint64_t>(product >> 64);
}

// Counts by position with prefix sums in O(log size): remove_uniform takes one item, uniformly among those
// left, and returns its position.
class ItemTree {
 public:
  explicit ItemTree(std::span<const std::int64_t> counts) : tree_(counts.size() + 1, 0) {
    for (std::size_t i = 1; i <= counts.size(); ++i) {
      tree_[i] += counts[i - 1];
      total_ += counts[i - 1];
      const std::size_t parent = i + (i & (0 - i));
      if (parent < tree_.size()) tree_[parent] += tree_[i];
    }
    top_ = 1;
    while (top_ * 2 < tree_.size()) top_ *= 2;
  }

  std::size_t remove_uniform(Rng& rng) {
    auto u = static_cast<std::int64_t>(uniform_below(rng, static_cast<std::uint64_t>(total_)));
    // Descend to the last position whose prefix sum is <= u: the item is at the next one.
    std::size_t at = 0;
    for (std::size_t step = top_; step > 0; step /= 2)
      if (at + step < tree_.size() && tree_[at + step] <= u) {
        at += step;
        u -= tree_[at];
      }
    for (std::size_t i = at + 1; i < tree_.size(); i += i & (0 - i)) --tree_[i];
    --total_;
    return at;
  }

 private:
  std::vector<std::int64_t> tree_;
  std::int64_t total_ = 0;
  std::size_t top_ = 1;
};

}  // namespace

void draw_multivariate_hypergeometric(Rng& rng, std::int64_t draws, std::span<const std::int64_t> counts,
                                      std::span<const std::uint32_t> support, std::span<std::int64_t> out) {
  std::int64_t pool = 0;
  for (const auto i : support) pool += counts[i];
  assert(0 <= draws && draws <= pool);
  if (draws == 0 || draws == pool) {
    for (const auto i : support) out[i] = draws == 0 ? 0 : counts[i];
    return;
  }
  // Thinning, then a uniform trim. Keep every item of the pool independently with probability `keep`; given
  // how many were kept, the kept set is uniform among the sets of that size. Then take items out of it one at
  // a time, uniformly among those left, until `select` remain: a uniform set of `select` items of the pool,
  // whose counts by type are the multivariate hypergeometric. Draws that keep fewer than `select` are
  // repeated, which conditions on keeping at least `select` and leaves the kept set uniform given its size.
  // `keep` puts the mean kept count 4 sqrt(select) + 4 above `select`, so a repeat is rare (probability below
  // 1.3e-4 at every size; the Poisson limit is the worst case) and about 4 sqrt(select) items are taken out.
  // It costs one binomial per type and O(sqrt(draws) log(types)) for the trim, where the conditional
  // hypergeometrics cost one pmf and an O(sd) search per type.
  const bool complement = draws > pool / 2;  // then choose the items left out
  const std::int64_t select = complement ? pool - draws : draws;
  const double s = static_cast<double>(select);
  const double keep = (s + 4 * std::sqrt(s) + 4) / static_cast<double>(pool);
  if (keep >= 1.0) {  // a small pool: conditional hypergeometrics type by type
    interleaved_passes<Pass<std::int64_t>>(
        rng, draws, support, [&](std::uint32_t i) { return counts[i]; },
        [](Rng& r, std::int64_t n, std::int64_t marked, std::int64_t rest) {
          return draw_hypergeometric(r, rest, marked, n);
        },
        out);
    return;
  }
  thread_local std::vector<std::int64_t> kept;
  kept.resize(support.size());
  std::int64_t total = 0;
  do {
    total = 0;
    for (std::size_t j = 0; j < support.size(); ++j) total += kept[j] = draw_binomial(rng, counts[support[j]], keep);
  } while (total < select);
  if (total > select) {
    ItemTree tree(kept);
    for (; total > select; --total) --kept[tree.remove_uniform(rng)];
  }
  for (std::size_t j = 0; j < support.size(); ++j) {
    const auto i = support[j];
    out[i] = complement ? counts[i] - kept[j] : kept[j];
  }
}

}  // namespace ouro
