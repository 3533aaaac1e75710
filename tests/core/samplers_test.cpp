// Goodness of fit of every sampler against its exact distribution (Boost.Math pmf/cdf): chi-squared tests
// with pooled cells for the discrete samplers, Kolmogorov-Smirnov for the continuous ones. Seeds are fixed, so
// each test is deterministic; the thresholds (p > 1e-4, D sqrt(N) < 1.95) would be crossed by a correct
// sampler with probability ~1e-4 and ~1e-3 per test, and a harness check shows they do reject near misses.
#include "ouroboros/core/samplers.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/hypergeometric.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "ouroboros/core/rng.hpp"
#include "support/gof.hpp"

namespace ouro {
namespace {

constexpr int kDraws = 200'000;
constexpr double kMinP = 1e-4;
constexpr double kMaxKs = 1.95;  // D * sqrt(N); the asymptotic Kolmogorov p-value is ~0.001

using testing::binomial_law;
using testing::chi_squared_gof;
using testing::DiscreteLaw;
using testing::Gof;
using testing::window;

DiscreteLaw poisson_law(double mean) {
  const boost::math::poisson_distribution<> d(mean);
  DiscreteLaw law;
  std::tie(law.a, law.b) = window(mean, std::sqrt(mean), 0, INT64_MAX / 2);
  law.pmf = [d](std::int64_t k) { return boost::math::pdf(d, static_cast<double>(k)); };
  if (law.a > 0) law.below = boost::math::cdf(d, static_cast<double>(law.a - 1));
  law.above = boost::math::cdf(boost::math::complement(d, static_cast<double>(law.b)));
  return law;
}

DiscreteLaw hypergeometric_law(std::int64_t population, std::int64_t marked, std::int64_t draws) {
  // Boost's order: (defective = marked, sample_count = draws, total = population).
  const boost::math::hypergeometric_distribution<> d(static_cast<unsigned>(marked), static_cast<unsigned>(draws),
                                                     static_cast<unsigned>(population));
  const double N = static_cast<double>(population), K = static_cast<double>(marked), n = static_cast<double>(draws);
  const double mean = n * K / N;
  const double sd = N > 1 ? std::sqrt(n * (K / N) * (1 - K / N) * (N - n) / (N - 1)) : 0.0;
  const std::int64_t lo = std::max<std::int64_t>(0, draws - (population - marked));
  const std::int64_t hi = std::min(draws, marked);
  DiscreteLaw law;
  std::tie(law.a, law.b) = window(mean, sd, lo, hi);
  law.pmf = [d](std::int64_t k) { return boost::math::pdf(d, static_cast<unsigned>(k)); };
  if (law.a > lo) law.below = boost::math::cdf(d, static_cast<unsigned>(law.a - 1));
  if (law.b < hi) law.above = boost::math::cdf(boost::math::complement(d, static_cast<unsigned>(law.b)));
  return law;
}

template <class Draw>
std::vector<std::int64_t> sample(std::uint64_t seed, Draw draw, int n = kDraws) {
  Rng rng(seed, 0, 1, Stream::kSynthetic);
  std::vector<std::int64_t> out(static_cast<std::size_t>(n));
  for (auto& x : out) x = draw(rng);
  return out;
}

std::int64_t min_of(const std::vector<std::int64_t>& xs) { return *std::min_element(xs.begin(), xs.end()); }
std::int64_t max_of(const std::vector<std::int64_t>& xs) { return *std::max_element(xs.begin(), xs.end()); }

// The sample covariance of two equally long series.
double sample_covariance(const std::vector<std::int64_t>& x, const std::vector<std::int64_t>& y) {
  const auto n = static_cast<double>(x.size());
  double mx = 0, my = 0, c = 0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    mx += static_cast<double>(x[k]);
    my += static_cast<double>(y[k]);
  }
  mx /= n;
  my /= n;
  for (std::size_t k = 0; k < x.size(); ++k) c += (static_cast<double>(x[k]) - mx) * (static_cast<double>(y[k]) - my);
  return c / (n - 1);
}

// ---------- Kolmogorov-Smirnov ----------

double ks_statistic_times_sqrt_n(std::vector<double> xs, const std::function<double(double)>& cdf) {
  std::sort(xs.begin(), xs.end());
  const double n = static_cast<double>(xs.size());
  double d = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double f = cdf(xs[i]);
    d = std::max({d, (static_cast<double>(i) + 1) / n - f, f - static_cast<double>(i) / n});
  }
  return d * std::sqrt(n);
}

std::vector<double> sample_real(std::uint64_t seed, const std::function<double(Rng&)>& draw) {
  Rng rng(seed, 0, 1, Stream::kSynthetic);
  std::vector<double> out(kDraws);
  for (auto& x : out) x = draw(rng);
  return out;
}

// ---------- the harness itself ----------

TEST(SamplersHarness, ChiSquaredRejectsANearMiss) {
  const auto xs = sample(1, [](Rng& r) { return draw_binomial(r, 100, 0.30); });
  EXPECT_GT(chi_squared_gof(xs, binomial_law(100, 0.30)).p, kMinP);
  EXPECT_LT(chi_squared_gof(xs, binomial_law(100, 0.31)).p, 1e-10);
}

TEST(SamplersHarness, KolmogorovSmirnovRejectsANearMiss) {
  const auto xs = sample_real(2, [](Rng& r) { return draw_gamma(r, 4.5); });
  EXPECT_LT(ks_statistic_times_sqrt_n(xs, [](double x) { return boost::math::cdf(boost::math::gamma_distribution<>(4.5), x); }),
            kMaxKs);
  EXPECT_GT(ks_statistic_times_sqrt_n(xs, [](double x) { return boost::math::cdf(boost::math::gamma_distribution<>(4.6), x); }),
            4.0);
}

// ---------- binomial ----------

struct BinomialCase {
  std::int64_t trials;
  double p;
};

TEST(SamplersBinomial, FitsExactLawInBothRegimes) {
  const std::vector<BinomialCase> cases{
      // inversion (t * min(p, 1 - p) < 10)
      {20, 0.3},
      {1000, 0.005},
      {19, 0.5},             // q = 0.5 exactly, no flip
      {50, 0.9},             // flipped: q = 0.1
      {12, 0.97},            // flipped, mass piled at trials
      {10'000, 0.000999},    // mean just below 10
      {1'000'000'000, 2e-9}, // huge trials, tiny p
      {1, 0.4},              // Bernoulli
      // Boost BTRD (t * q >= 10)
      {100, 0.1},            // mean exactly 10
      {100, 0.3},
      {1000, 0.7},           // p > 0.5
      {40, 0.6},
      {1'000'000, 0.5},
      {1'000'000'000, 0.37},
  };
  std::uint64_t seed = 100;
  for (const auto& c : cases) {
    const auto xs = sample(++seed, [&](Rng& r) { return draw_binomial(r, c.trials, c.p); });
    EXPECT_GE(min_of(xs), 0);
    EXPECT_LE(max_of(xs), c.trials);
    const Gof g = chi_squared_gof(xs, binomial_law(c.trials, c.p));
    EXPECT_GT(g.p, kMinP) << "Bin(" << c.trials << ", " << c.p << "): chi2 " << g.stat << " on " << g.cells - 1 << " df";
  }
}

TEST(SamplersBinomial, EdgeCasesAreExact) {
  Rng rng(3, 0, 0, Stream::kSynthetic);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(draw_binomial(rng, 10, 0.0), 0);
    EXPECT_EQ(draw_binomial(rng, 1'000'000'000, 0.0), 0);
    EXPECT_EQ(draw_binomial(rng, 10, 1.0), 10);
    EXPECT_EQ(draw_binomial(rng, 1'000'000'000, 1.0), 1'000'000'000);
    EXPECT_EQ(draw_binomial(rng, 0, 0.5), 0);
    EXPECT_EQ(draw_binomial(rng, 0, 1.0), 0);
    EXPECT_EQ(draw_binomial(rng, 1000, 1e-300), 0);
    EXPECT_EQ(draw_binomial(rng, 1000, 1.0 - 1e-16), 1000);
  }
}

TEST(SamplersBinomial, SameRngGivesSameDraws) {
  const auto a = sample(9, [](Rng& r) { return draw_binomial(r, 500, 0.2); }, 1000);
  const auto b = sample(9, [](Rng& r) { return draw_binomial(r, 500, 0.2); }, 1000);
  EXPECT_EQ(a, b);
}

// ---------- Poisson ----------

TEST(SamplersPoisson, FitsExactLaw) {
  std::uint64_t seed = 200;
  for (const double mean : {0.5, 7.0, 250.0}) {
    const auto xs = sample(++seed, [&](Rng& r) { return draw_poisson(r, mean); });
    EXPECT_GE(min_of(xs), 0);
    const Gof g = chi_squared_gof(xs, poisson_law(mean));
    EXPECT_GT(g.p, kMinP) << "Poisson(" << mean << "): chi2 " << g.stat << " on " << g.cells - 1 << " df";
  }
}

TEST(SamplersPoisson, ZeroMeanGivesZero) {
  Rng rng(4, 0, 0, Stream::kSynthetic);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(draw_poisson(rng, 0.0), 0);
}

// ---------- hypergeometric ----------

struct HyperCase {
  std::int64_t population, marked, draws;
};

TEST(SamplersHypergeometric, FitsExactLaw) {
  const std::vector<HyperCase> cases{
      {50, 20, 10},
      {100, 30, 95},     // draws near population: support [25, 30]
      {100, 99, 50},     // support [49, 50]
      {1000, 5, 10},     // mode at 0, skewed
      {1000, 990, 500},  // support [490, 500], mass at the top
      {10'000, 5000, 5000},
      {1'000'000, 300'000, 50'000},
      {37, 36, 2},
  };
  std::uint64_t seed = 300;
  for (const auto& c : cases) {
    const auto xs = sample(++seed, [&](Rng& r) { return draw_hypergeometric(r, c.population, c.marked, c.draws); });
    EXPECT_GE(min_of(xs), std::max<std::int64_t>(0, c.draws - (c.population - c.marked)));
    EXPECT_LE(max_of(xs), std::min(c.draws, c.marked));
    const Gof g = chi_squared_gof(xs, hypergeometric_law(c.population, c.marked, c.draws));
    EXPECT_GT(g.p, kMinP) << "Hyp(" << c.population << ", " << c.marked << ", " << c.draws << "): chi2 " << g.stat
                          << " on " << g.cells - 1 << " df";
  }
}

TEST(SamplersHypergeometric, DegenerateCasesAreExact) {
  Rng rng(5, 0, 0, Stream::kSynthetic);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(draw_hypergeometric(rng, 100, 0, 40), 0);     // nothing marked
    EXPECT_EQ(draw_hypergeometric(rng, 100, 100, 40), 40);  // everything marked
    EXPECT_EQ(draw_hypergeometric(rng, 20, 10, 20), 10);    // draw the whole population
    EXPECT_EQ(draw_hypergeometric(rng, 20, 10, 0), 0);      // draw nothing
    EXPECT_EQ(draw_hypergeometric(rng, 0, 0, 0), 0);
  }
}

// ---------- continuous samplers ----------

TEST(SamplersContinuous, NormalFitsExactLaw) {
  const auto xs = sample_real(400, [](Rng& r) { return draw_normal(r); });
  const boost::math::normal_distribution<> d(0, 1);
  EXPECT_LT(ks_statistic_times_sqrt_n(xs, [&](double x) { return boost::math::cdf(d, x); }), kMaxKs);
}

TEST(SamplersContinuous, GammaFitsExactLaw) {
  std::uint64_t seed = 500;
  for (const double shape : {0.3, 1.0, 4.5, 49.5}) {
    const auto xs = sample_real(++seed, [&](Rng& r) { return draw_gamma(r, shape); });
    EXPECT_GT(*std::min_element(xs.begin(), xs.end()), 0.0) << "shape " << shape;
    const boost::math::gamma_distribution<> d(shape, 1.0);
    EXPECT_LT(ks_statistic_times_sqrt_n(xs, [&](double x) { return boost::math::cdf(d, x); }), kMaxKs)
        << "Gamma(" << shape << ")";
  }
}

TEST(SamplersContinuous, ChiSquaredFitsExactLaw) {
  std::uint64_t seed = 600;
  for (const double k : {9.0, 99.0}) {
    const auto xs = sample_real(++seed, [&](Rng& r) { return draw_chi_squared(r, k); });
    const boost::math::chi_squared_distribution<> d(k);
    EXPECT_LT(ks_statistic_times_sqrt_n(xs, [&](double x) { return boost::math::cdf(d, x); }), kMaxKs)
        << "ChiSquared(" << k << ")";
  }
}

// ---------- multinomial ----------

TEST(SamplersMultinomial, InterleavedPartsKeepMarginalsAndCovariances) {
  // 200 cells: the support is drawn in four interleaved parts (draw_multinomial). Marginals of cells in the
  // first and the last part, and covariances -n p_i p_j of cells in one part and across parts, within 5
  // standard errors (sd_i sd_j / sqrt(reps) bounds the standard error of a sample covariance).
  std::vector<double> weights(200);
  std::vector<std::uint32_t> support(200);
  double total_weight = 0;
  for (std::uint32_t i = 0; i < 200; ++i) {
    total_weight += weights[i] = 1.0 + (i * 37 % 23);
    support[i] = 199 - i;
  }
  constexpr std::int64_t kTrials = 5000;
  constexpr int kReps = 40'000;
  Rng rng(710, 0, 1, Stream::kSynthetic);
  std::vector<std::int64_t> out(weights.size());
  std::vector<std::vector<std::int64_t>> marginal(weights.size());
  for (int rep = 0; rep < kReps; ++rep) {
    draw_multinomial(rng, kTrials, weights, support, out);
    std::int64_t total = 0;
    for (const auto i : support) {
      total += out[i];
      marginal[i].push_back(out[i]);
    }
    ASSERT_EQ(total, kTrials);
  }
  const auto p = [&](std::uint32_t i) { return weights[i] / total_weight; };
  for (const std::uint32_t i : {199u, 150u, 60u, 0u}) {
    const Gof g = chi_squared_gof(marginal[i], binomial_law(kTrials, p(i)));
    EXPECT_GT(g.p, kMinP) << "cell " << i << ": chi2 " << g.stat << " on " << g.cells - 1 << " df";
  }
  const double n = static_cast<double>(kTrials);
  for (const auto& [i, j] : {std::pair{199u, 180u}, std::pair{199u, 0u}, std::pair{120u, 10u}}) {
    const double sd_i = std::sqrt(n * p(i) * (1 - p(i))), sd_j = std::sqrt(n * p(j) * (1 - p(j)));
    EXPECT_NEAR(sample_covariance(marginal[i], marginal[j]), -n * p(i) * p(j),
                5 * sd_i * sd_j / std::sqrt(static_cast<double>(kReps)))
        << "cells " << i << " and " << j;
  }
}

TEST(SamplersMultinomial, TotalsMarginalsAndUntouchedCells) {
  // Unnormalised weights; indices 1 and 5 are outside the support, index 6 has weight 0 inside it, and the
  // support is visited out of index order.
  const std::vector<double> weights{2.0, 9.0, 5.0, 1.0, 2.5, 7.0, 0.0, 0.5};
  const std::vector<std::uint32_t> support{4, 0, 6, 2, 3, 7};
  double total_weight = 0;
  for (const auto i : support) total_weight += weights[i];
  constexpr std::int64_t kTrials = 1000;
  constexpr int kReps = 40'000;
  constexpr std::int64_t kSentinel = -7;

  Rng rng(700, 0, 1, Stream::kSynthetic);
  std::vector<std::int64_t> out(weights.size());
  std::vector<double> sum(weights.size(), 0.0);
  std::vector<std::vector<std::int64_t>> marginal(weights.size());
  for (int rep = 0; rep < kReps; ++rep) {
    std::fill(out.begin(), out.end(), kSentinel);
    draw_multinomial(rng, kTrials, weights, support, out);
    ASSERT_EQ(out[1], kSentinel);
    ASSERT_EQ(out[5], kSentinel);
    std::int64_t total = 0;
    for (const auto i : support) {
      ASSERT_GE(out[i], 0);
      total += out[i];
      sum[i] += static_cast<double>(out[i]);
      marginal[i].push_back(out[i]);
    }
    ASSERT_EQ(total, kTrials);
    ASSERT_EQ(out[6], 0);
  }
  for (const auto i : support) {
    const double p = weights[i] / total_weight;
    const double mean = sum[i] / kReps;
    const double se = std::sqrt(static_cast<double>(kTrials) * p * (1 - p) / kReps);
    EXPECT_NEAR(mean, static_cast<double>(kTrials) * p, 5 * se + 1e-12) << "cell " << i;
    if (p > 0) {
      // Each marginal is Bin(trials, w_i / sum w), including the cells placed by conditioning late in the order.
      const Gof g = chi_squared_gof(marginal[i], binomial_law(kTrials, p));
      EXPECT_GT(g.p, kMinP) << "cell " << i << ": chi2 " << g.stat << " on " << g.cells - 1 << " df";
    }
  }
}

TEST(SamplersMultinomial, ZeroTrialsAndSingleCell) {
  const std::vector<double> weights{1.0, 3.0, 2.0};
  const std::vector<std::uint32_t> support{0, 1, 2};
  Rng rng(701, 0, 1, Stream::kSynthetic);
  std::vector<std::int64_t> out{5, 5, 5};
  draw_multinomial(rng, 0, weights, support, out);
  EXPECT_EQ(out, (std::vector<std::int64_t>{0, 0, 0}));

  const std::vector<std::uint32_t> one{1};
  out = {5, 5, 5};
  draw_multinomial(rng, 123, weights, one, out);
  EXPECT_EQ(out, (std::vector<std::int64_t>{5, 123, 5}));
}

// ---------- multivariate hypergeometric ----------

// draw_multivariate_hypergeometric takes three routes: thinning the pool and trimming it to the draws (draws
// at most half the pool), the same for the items left out (more than half), and conditional hypergeometrics
// type by type (pools too small for thinning). Each is checked: totals and bounds on every draw, the marginal
// law of types early, in the middle and last in the visiting order, and the covariance of two types.
TEST(SamplersMultivariateHypergeometric, TotalsBoundsMarginalsAndCovarianceOnEveryRoute) {
  struct Route {
    std::vector<std::int64_t> counts;
    std::vector<std::uint32_t> support;  // out of order, and one index outside it
    std::int64_t draws;
    const char* name;
  };
  const std::vector<std::int64_t> small{5, 40, 0, 12, 30, 3, 50, 9};  // 109 on the support below
  const std::vector<Route> routes{
      {small, {7, 0, 2, 3, 4, 5, 6}, 40, "thinning"},
      {small, {7, 0, 2, 3, 4, 5, 6}, 80, "thinning the items left out"},
      {{3, 9, 0, 4, 1, 2, 0, 1}, {7, 0, 2, 3, 4, 5, 6}, 6, "type by type"},  // pool 11: keep would exceed 1
  };
  constexpr std::int64_t kSentinel = -3;
  constexpr int kReps = 100'000;
  std::uint64_t seed = 800;
  for (const auto& r : routes) {
    std::int64_t pool = 0;
    for (const auto i : r.support) pool += r.counts[i];
    Rng rng(++seed, 0, 1, Stream::kSubsample);
    std::vector<std::int64_t> out(r.counts.size());
    std::vector<std::vector<std::int64_t>> marginal(r.counts.size());
    for (int rep = 0; rep < kReps; ++rep) {
      std::fill(out.begin(), out.end(), kSentinel);
      draw_multivariate_hypergeometric(rng, r.draws, r.counts, r.support, out);
      ASSERT_EQ(out[1], kSentinel) << r.name;
      std::int64_t total = 0;
      for (const auto i : r.support) {
        ASSERT_GE(out[i], 0) << r.name;
        ASSERT_LE(out[i], r.counts[i]) << r.name;
        total += out[i];
        marginal[i].push_back(out[i]);
      }
      ASSERT_EQ(total, r.draws) << r.name;
    }
    for (const std::uint32_t i : {7u, 3u, 6u}) {
      if (r.counts[i] == 0) continue;
      const Gof g = chi_squared_gof(marginal[i], hypergeometric_law(pool, r.counts[i], r.draws));
      EXPECT_GT(g.p, kMinP) << r.name << ", type " << i << ": chi2 " << g.stat << " on " << g.cells - 1 << " df";
    }
    // Cov(X_i, X_j) = -n (K_i / N) (K_j / N) (N - n) / (N - 1), against the sample covariance within 5 standard
    // errors (sd_i sd_j / sqrt(reps) bounds the standard error of a sample covariance of correlated pairs).
    const std::uint32_t i = 0, j = 3;
    const double N = static_cast<double>(pool), n = static_cast<double>(r.draws);
    const double ki = static_cast<double>(r.counts[i]) / N, kj = static_cast<double>(r.counts[j]) / N;
    const double finite = (N - n) / (N - 1);
    const double want = -n * ki * kj * finite;
    const double sd_i = std::sqrt(n * ki * (1 - ki) * finite), sd_j = std::sqrt(n * kj * (1 - kj) * finite);
    const double cov = sample_covariance(marginal[i], marginal[j]);
    EXPECT_NEAR(cov, want, 5 * sd_i * sd_j / std::sqrt(static_cast<double>(kReps))) << r.name;
  }
}

// Pools of the size accumulate_subsample reaches (10^7 items, counts up to 10^6): marginals of types with small
// and large counts against the exact law.
TEST(SamplersMultivariateHypergeometric, LargePoolMarginals) {
  std::vector<std::int64_t> counts;
  std::vector<std::uint32_t> support;
  std::int64_t pool = 0;
  for (std::uint32_t i = 0; i < 200; ++i) {
    counts.push_back(i % 50 == 0 ? 1'000'000 : 1 + 997 * i % 80'000);
    support.push_back(i);
    pool += counts.back();
  }
  constexpr std::int64_t kDraws = 100'000;
  constexpr int kReps = 20'000;
  Rng rng(810, 0, 1, Stream::kSubsample);
  std::vector<std::int64_t> out(counts.size());
  std::vector<std::vector<std::int64_t>> marginal(counts.size());
  for (int rep = 0; rep < kReps; ++rep) {
    draw_multivariate_hypergeometric(rng, kDraws, counts, support, out);
    std::int64_t total = 0;
    for (const auto i : support) {
      total += out[i];
      marginal[i].push_back(out[i]);
    }
    ASSERT_EQ(total, kDraws);
  }
  for (const std::uint32_t i : {0u, 1u, 77u, 150u, 199u}) {
    const Gof g = chi_squared_gof(marginal[i], hypergeometric_law(pool, counts[i], kDraws));
    EXPECT_GT(g.p, kMinP) << "type " << i << " (" << counts[i] << " of " << pool << "): chi2 " << g.stat << " on "
                          << g.cells - 1 << " df";
  }
}

TEST(SamplersMultivariateHypergeometric, DrawingTheWholePoolReturnsTheCounts) {
  const std::vector<std::int64_t> counts{4, 0, 7, 1};
  const std::vector<std::uint32_t> support{0, 1, 2, 3};
  Rng rng(801, 0, 1, Stream::kSubsample);
  std::vector<std::int64_t> out(4, -1);
  draw_multivariate_hypergeometric(rng, 12, counts, support, out);
  EXPECT_EQ(out, counts);
  draw_multivariate_hypergeometric(rng, 0, counts, support, out);
  EXPECT_EQ(out, (std::vector<std::int64_t>{0, 0, 0, 0}));
}

}  // namespace
}  // namespace ouro
