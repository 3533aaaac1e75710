// The hand-written binomial samplers (src/ouroboros/core/binomial.hpp): goodness of fit of draw_binomial on
// both sides of its inversion / BTRD boundary and at the edges of each algorithm's blocks and branches, of
// each algorithm on its own beyond the range draw_binomial gives it, moments over 10^6 draws, exact edge
// cases, and the accuracy of the helpers (log(1 - q), Stirling corrections). Chi-squared tests as in
// samplers_test.cpp: 200k draws, cells pooled to an expected count >= 5 (and >= n / 5000), p > 1e-4, fixed
// seeds.
#include "ouroboros/core/binomial.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "ouroboros/core/rng.hpp"
#include "ouroboros/core/samplers.hpp"
#include "support/gof.hpp"

namespace ouro {
namespace {

using binomial_detail::binomial_btrd;
using binomial_detail::binomial_inversion;
using binomial_detail::kInversionMaxMean;

constexpr int kDraws = 200'000;
constexpr double kMinP = 1e-4;

using Draw = std::function<std::int64_t(Rng&)>;

std::vector<std::int64_t> sample(std::uint64_t seed, const Draw& draw, int n = kDraws) {
  Rng rng(seed, 0, 1, Stream::kSynthetic);
  std::vector<std::int64_t> out(static_cast<std::size_t>(n));
  for (auto& x : out) x = draw(rng);
  return out;
}

using testing::Gof;

struct Case {
  std::int64_t trials;
  double p;
  const char* why;
};

// Draws `n` variates per case with `draw(rng, trials, p)` and checks their range and their fit; seeds are fixed
// per case. The draws are counted into the law's window as they come, so n can be large.
void expect_fits(const std::vector<Case>& cases, std::uint64_t first_seed,
                 const std::function<std::int64_t(Rng&, std::int64_t, double)>& draw, int n = kDraws) {
  std::uint64_t seed = first_seed;
  for (const auto& c : cases) {
    const auto law = testing::binomial_law(c.trials, c.p);
    std::vector<double> observed(static_cast<std::size_t>(law.b - law.a + 1), 0.0);
    Rng rng(++seed, 0, 1, Stream::kSynthetic);
    std::int64_t lowest = c.trials, highest = 0;
    for (int i = 0; i < n; ++i) {
      const std::int64_t x = draw(rng, c.trials, c.p);
      lowest = std::min(lowest, x);
      highest = std::max(highest, x);
      observed[static_cast<std::size_t>(std::clamp(x, law.a, law.b) - law.a)] += 1;
    }
    EXPECT_GE(lowest, 0) << c.why;
    EXPECT_LE(highest, c.trials) << c.why;
    const Gof g = testing::chi_squared_gof_counts(observed, n, law);
    EXPECT_GT(g.p, kMinP) << "Bin(" << c.trials << ", " << c.p << ") [" << c.why << "]: chi2 " << g.stat << " on "
                          << g.cells - 1 << " df";
  }
}

// ---------- draw_binomial across its boundaries ----------

TEST(SamplersBinomialRegimes, BoundaryIsWhereTheTestsAssumeIt) {
  // The cases below straddle t q = 16; if the boundary moves, move them with it.
  EXPECT_EQ(kInversionMaxMean, 16.0);
}

TEST(SamplersBinomialRegimes, DrawBinomialFitsAroundTheInversionBtrdBoundary) {
  const std::vector<Case> cases{
      {100'000, 15.9e-5, "inversion, mean just below the boundary"},
      {100'000, 16.0e-5, "BTRD, mean at the boundary"},
      {100'000, 16.1e-5, "BTRD, mean just above"},
      {40, 0.399, "inversion, few trials"},
      {40, 0.4, "BTRD, few trials, mean 16"},
      {40, 0.401, "BTRD, few trials"},
      {31, 0.5, "inversion, p = 0.5"},
      {32, 0.5, "BTRD, p = 0.5, mean 16"},
      {33, 0.5, "BTRD, p = 0.5"},
      {1001, 0.5, "BTRD, p = 0.5, odd trials"},
      {100, 0.85, "flipped: q = 0.15, inversion"},
      {100, 0.84, "flipped: q = 0.16, BTRD"},
      {1'000'000, 0.99999, "flipped: q = 1e-5, inversion, mean 10"},
      {1'000'000, 0.9999, "flipped: q = 1e-4, BTRD, mean 100"},
      {1'000'000'000, 5e-10, "huge trials, mean 0.5"},
      {1'000'000'000, 3e-9, "huge trials, mean 3"},
      {1'000'000'000, 1.59e-8, "huge trials, mean 15.9 (inversion)"},
      {1'000'000'000, 1.61e-8, "huge trials, mean 16.1 (BTRD)"},
      {1'000'000'000, 5e-8, "huge trials, mean 50"},
      {1'000'000'000, 1e-6, "huge trials, mean 1000"},
      {1'000'000'000, 0.5, "huge trials, p = 0.5"},
  };
  expect_fits(cases, 1000, [](Rng& r, std::int64_t t, double p) { return draw_binomial(r, t, p); });
}

TEST(SamplersBinomialRegimes, DrawBinomialFitsAtInversionEdges) {
  const std::vector<Case> cases{
      {1, 0.3, "Bernoulli"},
      {1, 0.5, "Bernoulli, p = 0.5"},
      {1, 0.7, "Bernoulli, flipped"},
      {2, 0.5, "two trials"},
      {3, 0.2, "support shorter than a block"},
      {8, 0.5, "support ends inside the first block"},
      {9, 0.45, "support ends at the first block's end"},
      {17, 0.5, "second block, support ends inside it"},
      {1000, 0.008, "mean 8: X crosses the 8-term blocks"},
      {100, 0.1, "q > 2^-6: log(1 - q) from log1p"},
      {640, 0.015625, "q = 2^-6: the series' upper end"},
      {1000, 0.01, "q < 2^-6: the series"},
      {100'000, 1e-7, "mean 0.01: almost always 0"},
      {100'000, 1e-5, "mean 1"},
  };
  expect_fits(cases, 2000, [](Rng& r, std::int64_t t, double p) { return draw_binomial(r, t, p); });
}

// ---------- 10^7 draws: the grid of the speed issue ----------

TEST(SamplersBinomialRegimes, DrawBinomialFitsAtTenMillionDrawsOverTheGrid) {
  // Ten million draws per case: cells are pooled to expect at least 2000 counts, so a cell probability off by
  // a few parts in 10^3 fails. The grid covers the inversion/BTRD switch (t q = 16), the flip at p = 0.5,
  // extreme p on both sides and huge trial counts.
  constexpr int kMany = 10'000'000;
  const std::vector<Case> cases{
      {100'000, 15.99e-5, "inversion, mean just below the switch"},
      {100'000, 16.0e-5, "BTRD, mean at the switch"},
      {32, 0.5, "BTRD at the switch, p = 0.5"},
      {1, 0.5, "Bernoulli, p = 0.5"},
      {1000, 0.008, "inversion, mean 8: crosses the 8-term blocks"},
      {100, 0.84, "flipped: q = 0.16, BTRD"},
      {1'000'000'000, 1e-9, "extreme p: mean 1 from 10^9 trials"},
      {1'000'000, 1.0 - 1e-6, "extreme p near 1: flipped, mean 1"},
      {1'000'000'000, 0.5, "huge trials, p = 0.5, sd 15811"},
  };
  expect_fits(cases, 9000, [](Rng& r, std::int64_t t, double p) { return draw_binomial(r, t, p); }, kMany);
}

// ---------- each algorithm on its own ----------

TEST(SamplersBinomialRegimes, InversionFitsBeyondDrawBinomialsRange) {
  // Inversion is exact at any mean with (1 - q)^-t finite; large means reach the continuation blocks and,
  // past 256 terms, the sequential tail search.
  const std::vector<Case> cases{
      {1000, 0.02, "mean 20"},
      {100'000, 3e-4, "mean 30"},
      {300, 0.5, "mean 150, q = 0.5"},
      {1000, 0.25, "mean 250: tail search past 256 terms"},
      {2000, 0.15, "mean 300: mostly in the tail search"},
  };
  expect_fits(cases, 3000, [](Rng& r, std::int64_t t, double p) { return binomial_inversion(r, t, p); });
}

TEST(SamplersBinomialRegimes, BtrdFitsFromItsLowerLimit) {
  // BTRD needs t q >= 10 (Hoermann 1993); draw_binomial gives it t q >= 16. Small means exercise the
  // recursive evaluation of f(k) / f(m) (|k - m| <= 15), large ones the squeeze and the Stirling test.
  const std::vector<Case> cases{
      {20, 0.5, "mean 10, p = 0.5"},
      {21, 0.5, "mean 10.5, p = 0.5"},
      {1000, 0.01, "mean 10"},
      {100'000, 1e-4, "mean 10, tiny p"},
      {25, 0.45, "few trials"},
      {100, 0.12, "mean 12"},
      {1000, 0.03, "mean 30"},
      {100'000, 0.001, "mean 100"},
      {100'000, 0.3, "mean 30000"},
      {10'000'000, 0.5, "sd 1581"},
      {1'000'000'000'000, 1e-9, "10^12 trials, mean 1000"},
  };
  expect_fits(cases, 4000, [](Rng& r, std::int64_t t, double p) { return binomial_btrd(r, t, p); });
}

// ---------- moments over 10^6 draws ----------

TEST(SamplersBinomialRegimes, MeanAndVarianceMatchOverAMillionDraws) {
  const std::vector<Case> cases{
      {100'000, 1e-5, "mean 1"},           {100'000, 1.5e-4, "mean 15"},
      {100'000, 1.7e-4, "mean 17"},        {50, 0.7, "flipped"},
      {31, 0.5, "p = 0.5, inversion"},     {1'000'000, 0.5, "p = 0.5, BTRD"},
      {1'000'000'000, 0.3, "huge trials"}, {1'000'000'000, 2e-9, "huge trials, mean 2"},
  };
  constexpr int kN = 1'000'000;
  std::uint64_t seed = 5000;
  for (const auto& c : cases) {
    Rng rng(++seed, 0, 1, Stream::kSynthetic);
    // Shift by the expected mean before accumulating, so huge counts lose no precision.
    const double t = static_cast<double>(c.trials), mu = t * c.p, var = t * c.p * (1 - c.p);
    double s1 = 0, s2 = 0;
    for (int i = 0; i < kN; ++i) {
      const double d = static_cast<double>(draw_binomial(rng, c.trials, c.p)) - mu;
      s1 += d;
      s2 += d * d;
    }
    const double mean_dev = s1 / kN;
    const double sample_var = (s2 - kN * mean_dev * mean_dev) / (kN - 1);
    const double mean_se = std::sqrt(var / kN);
    // Var(s^2) ~ (mu4 - var^2) / N with mu4 = var (1 + 3 (t - 2) p q) for a binomial.
    const double mu4 = var * (1 + 3 * (t - 2) * c.p * (1 - c.p));
    const double var_se = std::sqrt((mu4 - var * var) / kN);
    EXPECT_LT(std::abs(mean_dev), 5 * mean_se) << c.why;
    EXPECT_LT(std::abs(sample_var - var), 5 * var_se) << c.why;
  }
}

// ---------- exact edge cases ----------

TEST(SamplersBinomialRegimes, ExtremesAreExact) {
  Rng rng(6, 0, 0, Stream::kSynthetic);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(draw_binomial(rng, 0, 0.3), 0);
    EXPECT_EQ(draw_binomial(rng, -5, 0.3), 0);
    EXPECT_EQ(draw_binomial(rng, 7, 0.0), 0);
    EXPECT_EQ(draw_binomial(rng, 7, -0.1), 0);
    EXPECT_EQ(draw_binomial(rng, 7, 1.0), 7);
    EXPECT_EQ(draw_binomial(rng, 7, 1.5), 7);
    EXPECT_EQ(draw_binomial(rng, std::numeric_limits<std::int64_t>::max(), 0.0), 0);
    EXPECT_EQ(draw_binomial(rng, std::numeric_limits<std::int64_t>::max(), 1.0),
              std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(draw_binomial(rng, 1'000'000, std::numeric_limits<double>::denorm_min()), 0);
    EXPECT_EQ(draw_binomial(rng, 1'000'000, 1.0 - 0x1p-53), 1'000'000);
    const auto b = draw_binomial(rng, 1, 0.5);
    EXPECT_TRUE(b == 0 || b == 1);
  }
}

TEST(SamplersBinomialRegimes, HugeTrialsStayInRangeAndNearTheMean) {
  // Beyond what a chi-squared window can cover: 2^62 trials, in both regimes.
  const std::int64_t t = std::int64_t{1} << 62;
  const double td = static_cast<double>(t);
  for (const double p : {1e-18, 4e-18, 0.25, 0.75}) {
    Rng rng(7, 0, 0, Stream::kSynthetic);
    constexpr int kN = 10'000;
    double sum_dev = 0;
    for (int i = 0; i < kN; ++i) {
      const std::int64_t x = draw_binomial(rng, t, p);
      ASSERT_GE(x, 0);
      ASSERT_LE(x, t);
      sum_dev += static_cast<double>(x) - td * p;
    }
    EXPECT_LT(std::abs(sum_dev / kN), 6 * std::sqrt(td * p * (1 - p) / kN) + 1e-6 * td * p) << "p = " << p;
  }
}

TEST(SamplersBinomialRegimes, SameSeedSameDraws) {
  for (const double p : {0.01, 0.3}) {  // mean 1 and 30 on 100 trials: one per algorithm
    const auto a = sample(
        8, [&](Rng& r) { return draw_binomial(r, 100, p); }, 1000);
    const auto b = sample(
        8, [&](Rng& r) { return draw_binomial(r, 100, p); }, 1000);
    EXPECT_EQ(a, b);
  }
}

// ---------- helpers ----------

TEST(SamplersBinomialRegimes, Log1mIsAccurate) {
  // Against log1p in long double: within an ulp of the double result, over q from 2^-70 to 1/2.
  Rng rng(9, 0, 0, Stream::kSynthetic);
  double worst = 0;
  for (int i = 0; i < 200'000; ++i) {
    const double q = std::ldexp(1.0 + rng.uniform(), -1 - static_cast<int>(rng() % 70));
    const long double ref = std::log1p(-static_cast<long double>(q));
    const double got = binomial_detail::log1m(q);
    const double ulp = std::ldexp(1.0, std::ilogb(static_cast<double>(ref)) - 52);
    worst = std::max(worst, static_cast<double>(std::abs(static_cast<long double>(got) - ref)) / ulp);
  }
  EXPECT_LT(worst, 1.0);
  EXPECT_EQ(binomial_detail::log1m(0.5), std::log1p(-0.5));
}

TEST(SamplersBinomialRegimes, StirlingCorrectionsMatchLogFactorials) {
  // fc(k) = log(k!) - [log(sqrt(2 pi)) + (k + 1/2) log(k + 1) - (k + 1)]. The table (k < 10) is exact to
  // double precision (checked against lgamma in long double); the three-term series (k >= 10) is within its
  // truncation error, 1 / (1680 (k + 1)^7), of the five-term series in long double.
  const long double log_sqrt_2pi = 0.5L * std::log(2 * 3.141592653589793238462643383279502884L);
  for (std::int64_t k = 0; k < 10; ++k) {
    const long double kl = static_cast<long double>(k);
    const long double exact =
        std::lgamma(kl + 1) - (log_sqrt_2pi + (kl + 0.5L) * std::log(kl + 1) - (kl + 1));
    EXPECT_NEAR(binomial_detail::stirling_correction(k), static_cast<double>(exact), 1e-17) << "k = " << k;
  }
  for (std::int64_t k = 10; k < 100'000'000; k = k < 30 ? k + 1 : k * 3 / 2) {
    const long double x = static_cast<long double>(k + 1), x2 = x * x;
    const long double series =
        (1 / 12.0L - (1 / 360.0L - (1 / 1260.0L - (1 / 1680.0L - 1 / (1188.0L * x2)) / x2) / x2) / x2) / x;
    const double got = binomial_detail::stirling_correction(k);
    const double tol = static_cast<double>(1 / (1680 * x2 * x2 * x2 * x)) + 4.5e-16 * got;  // + 2 ulps
    EXPECT_NEAR(got, static_cast<double>(series), tol) << "k = " << k;
  }
}

// log(f(k) / f(m)) for Binomial(n, p) as a sum of log(r (n + 1 - i) / i), in long double.
long double exact_log_ratio(std::int64_t n, double p, std::int64_t m, std::int64_t k) {
  const long double r = static_cast<long double>(p) / (1.0L - static_cast<long double>(p));
  long double s = 0;
  for (std::int64_t i = std::min(k, m) + 1; i <= std::max(k, m); ++i)
    s += std::log(r * static_cast<long double>(n + 1 - i) / static_cast<long double>(i));
  return k >= m ? s : -s;
}

struct BtrdCase {
  std::int64_t trials;
  double p;
};
const std::vector<BtrdCase> kBtrdCases{{20, 0.5},
                                       {50, 0.4},
                                       {1000, 0.01},
                                       {100'000, 1e-4},
                                       {100'000, 0.3},
                                       {1'000'000'000, 0.37},
                                       {1'000'000'000'000, 1e-9}};

TEST(SamplersBinomialRegimes, BtrdStirlingTestIsLogRatioOfProbabilities) {
  // Step 3.3 of BTRD accepts iff log v <= log(f(k) / f(m)), evaluated with Stirling's formula. Its error is
  // the truncation of the Stirling series (four corrections, each < 1 / (1680 (x + 1)^7) for x >= 10) plus
  // rounding in terms of size ~ m and |k - m|.
  for (const auto& c : kBtrdCases) {
    const auto bp = binomial_detail::btrd_params(c.trials, c.p);
    const double sd = std::sqrt(bp.npq);
    const auto lo = std::max<std::int64_t>(0, bp.m - static_cast<std::int64_t>(6 * sd) - 20);
    const auto hi = std::min<std::int64_t>(c.trials, bp.m + static_cast<std::int64_t>(6 * sd) + 20);
    const std::int64_t step = std::max<std::int64_t>(1, (hi - lo) / 40);
    const auto trunc = [](std::int64_t x) {
      return x < 10 ? 0.0 : 1.0 / (1680 * std::pow(static_cast<double>(x + 1), 7));
    };
    for (std::int64_t k = lo; k <= hi; k += step) {
      const double exact = static_cast<double>(exact_log_ratio(c.trials, c.p, bp.m, k));
      const double tol = 1.25 * (trunc(bp.m) + trunc(c.trials - bp.m) + trunc(k) + trunc(c.trials - k)) +
                         2e-15 * static_cast<double>(bp.m + std::abs(k - bp.m) + 10);
      EXPECT_NEAR(binomial_detail::btrd_log_ratio(bp, k), exact, tol)
          << "Bin(" << c.trials << ", " << c.p << "), m = " << bp.m << ", k = " << k;
    }
  }
}

TEST(SamplersBinomialRegimes, BtrdSqueezeBracketsTheLogRatio) {
  // Step 3.2 accepts below t - rho and rejects above t + rho without evaluating log(f(k) / f(m)): the bounds
  // must hold for every |k - m| > 15 (Hoermann 1993).
  for (const auto& c : kBtrdCases) {
    const auto bp = binomial_detail::btrd_params(c.trials, c.p);
    const double sd = std::sqrt(bp.npq);
    const auto far = static_cast<std::int64_t>(10 * sd) + 30;
    const std::int64_t step = std::max<std::int64_t>(1, far / 60);
    for (std::int64_t km = 16; km <= far; km += step) {
      const auto sq = binomial_detail::btrd_squeeze(bp, km);
      for (const std::int64_t k : {bp.m - km, bp.m + km}) {
        if (k < 0 || k > c.trials) continue;
        const double exact = static_cast<double>(exact_log_ratio(c.trials, c.p, bp.m, k));
        EXPECT_LE(sq.lower, exact) << "Bin(" << c.trials << ", " << c.p << "), k = " << k;
        EXPECT_GE(sq.upper, exact) << "Bin(" << c.trials << ", " << c.p << "), k = " << k;
      }
    }
  }
}

}  // namespace
}  // namespace ouro
