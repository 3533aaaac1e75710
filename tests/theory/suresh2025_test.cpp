// Checks the Suresh et al. (AISTATS 2025) closed forms against exact computations that share no code with
// them: dynamic programs over the count chains (Wright-Fisher, Poisson branching, multinomial) and numerical
// quadrature over the chi-square density.
#include "ouroboros/theory/suresh2025.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace ouro::theory {
namespace {

constexpr double kSlack = 1e-12;

// ---------- exact chains ----------

// Wright-Fisher on {0..n}: N_k ~ Bin(n, N_{k-1}/n). Returns the law of N_k for k = 0..k_max, N_0 = n0.
// Binomial weights in log space from a log-factorial table (Boost's pdf is exact but slow for n = 1000).
std::vector<std::vector<double>> wright_fisher_laws(int n, int n0, int k_max) {
  std::vector<double> log_fact(n + 1, 0.0);
  for (int i = 1; i <= n; ++i) log_fact[i] = log_fact[i - 1] + std::log(static_cast<double>(i));
  std::vector<std::vector<double>> step(n + 1, std::vector<double>(n + 1, 0.0));
  step[0][0] = 1.0;  // absorbing ends
  step[n][n] = 1.0;
  for (int i = 1; i < n; ++i) {
    const double lp = std::log(static_cast<double>(i) / n), lq = std::log1p(-static_cast<double>(i) / n);
    for (int j = 0; j <= n; ++j)
      step[i][j] = std::exp(log_fact[n] - log_fact[j] - log_fact[n - j] + j * lp + (n - j) * lq);
  }
  std::vector<std::vector<double>> laws{std::vector<double>(n + 1, 0.0)};
  laws[0][n0] = 1.0;
  for (int k = 1; k <= k_max; ++k) {
    std::vector<double> next(n + 1, 0.0);
    for (int i = 0; i <= n; ++i)
      for (int j = 0; j <= n; ++j) next[j] += laws.back()[i] * step[i][j];
    laws.push_back(next);
  }
  return laws;
}

// Pr(X_k = 0) for k = 1..k_max with X_1 ~ Poisson(c), X_k | X_{k-1} ~ Poisson(X_{k-1}); states whose mass is
// below 1e-15 at the top of the support are dropped (their total is returned in `dropped`).
std::vector<double> poisson_chain_zero(double c, int k_max, double& dropped) {
  std::vector<double> log_fact{0.0};
  auto poisson_law = [&log_fact](double mean, int top) {
    while (static_cast<int>(log_fact.size()) <= top)
      log_fact.push_back(log_fact.back() + std::log(static_cast<double>(log_fact.size())));
    std::vector<double> p(top + 1, 0.0);
    if (mean == 0.0) p[0] = 1.0;
    for (int i = 0; i <= top && mean > 0.0; ++i) p[i] = std::exp(i * std::log(mean) - mean - log_fact[i]);
    return p;
  };
  auto support_top = [](double mean) { return static_cast<int>(mean + 20.0 * std::sqrt(mean) + 60.0); };
  dropped = 0.0;
  std::vector<double> law = poisson_law(c, support_top(c));
  std::vector<double> zero{law[0]};
  for (int k = 2; k <= k_max; ++k) {
    std::vector<double> next;
    for (std::size_t j = 0; j < law.size(); ++j) {
      if (law[j] == 0.0) continue;
      const std::vector<double> row =
          poisson_law(static_cast<double>(j), support_top(static_cast<double>(j)));
      if (next.size() < row.size()) next.resize(row.size(), 0.0);
      for (std::size_t i = 0; i < row.size(); ++i) next[i] += law[j] * row[i];
    }
    while (next.size() > 1 && next.back() < 1e-15) {
      dropped += next.back();
      next.pop_back();
    }
    law = next;
    zero.push_back(law[0]);
  }
  return zero;
}

// ---------- g ----------

// First in the file, so the cache is still small and the threads race to grow it.
TEST(SureshG, ConcurrentCallersSeeTheSameSequence) {
  constexpr std::int64_t kTop = 20000;
  // The recursion in its cancellation-free form, computed here serially.
  std::vector<double> serial{1.0};
  while (static_cast<std::int64_t>(serial.size()) < kTop) serial.push_back(-std::expm1(-serial.back()));
  std::array<bool, 4> ok{};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&serial, &ok, t] {
      bool good = true;
      // Different strides and directions so growth and reads interleave.
      if (t % 2 == 0) {
        for (std::int64_t k = 1; k <= kTop; k += 1 + t) good = good && g(k) == serial[k - 1];
      } else {
        for (std::int64_t k = kTop - t; k >= 1; k -= t) good = good && g(k) == serial[k - 1];
      }
      ok[t] = good;
    });
  }
  for (auto& th : threads) th.join();
  for (const bool b : ok) EXPECT_TRUE(b);
}

TEST(SureshG, FirstTermsFollowTheRecursion) {
  EXPECT_EQ(g(1), 1.0);
  EXPECT_DOUBLE_EQ(g(2), 1.0 - std::exp(-1.0));
  EXPECT_DOUBLE_EQ(g(3), 1.0 - std::exp(-(1.0 - std::exp(-1.0))));
  EXPECT_TRUE(std::isinf(g(0)));  // the truth: every non-zero start is alive
}

TEST(SureshG, LiesInOneOverKToThreeOverKAndDecreases) {
  for (std::int64_t k = 1; k <= 100000; ++k) {
    const double kd = static_cast<double>(k);
    ASSERT_GE(g(k), 1.0 / kd) << k;
    ASSERT_LE(g(k), 3.0 / kd) << k;
    if (k > 1) {
      ASSERT_LT(g(k), g(k - 1)) << k;
    }
  }
}

TEST(SureshG, KTimesGTendsToTwoFromBelow) {
  for (std::int64_t k = 2; k <= 100000; ++k) {
    ASSERT_GT(static_cast<double>(k) * g(k), static_cast<double>(k - 1) * g(k - 1)) << k;
    ASSERT_LT(static_cast<double>(k) * g(k), 2.0) << k;
  }
  EXPECT_LT(std::abs(1e5 * g(100000) - 2.0), 0.01);
  EXPECT_LT(std::abs(1e6 * g(1000000) - 2.0), 0.001);
}

// ---------- Poisson, Theorem 2 ----------

TEST(SureshPoisson, TheoremTwoMatchesTheExactBranchingChain) {
  for (const double c : {0.5, 3.0, 10.0}) {
    double dropped = 0.0;
    const std::vector<double> zero = poisson_chain_zero(c, 20, dropped);
    EXPECT_LT(dropped, 1e-12);
    // Pick n and lambda0 with n lambda0 = c; only the product matters.
    const std::int64_t n = 40;
    const double lambda0 = c / static_cast<double>(n);
    for (int k = 1; k <= 20; ++k)
      EXPECT_NEAR(poisson_nonzero(lambda0, n, k), 1.0 - zero[k - 1], 1e-9) << "c=" << c << " k=" << k;
  }
  EXPECT_EQ(poisson_nonzero(0.0, 10, 5), 0.0);
  EXPECT_EQ(poisson_nonzero(0.1, 10, 0), 1.0);
}

// Pr(X_k = 0) for the count chain X_j ~ Poisson(x_{j-1} s_j / n_{j-1} + r_j lambda0), X_0 / n_0 := lambda0 (a
// dynamic program over the counts, sharing nothing with zero_exponent): generation j draws s_j samples from
// model j-1 (whose mean is X_{j-1}/n_{j-1}) and r_j from the truth.
std::vector<double> count_chain_zero(double lambda0, const std::vector<std::pair<int, int>>& batches) {
  auto poisson_law = [](double mean) {
    const int top = static_cast<int>(mean + 20.0 * std::sqrt(mean) + 60.0);
    std::vector<double> p(top + 1, 0.0);
    double log_fact = 0.0;
    for (int i = 0; i <= top; ++i) {
      if (i > 0) log_fact += std::log(static_cast<double>(i));
      p[i] = mean == 0.0 ? (i == 0 ? 1.0 : 0.0) : std::exp(i * std::log(mean) - mean - log_fact);
    }
    return p;
  };
  std::vector<double> law{1.0};  // a point mass, used with mean lambda0 below
  double previous_n = 0;
  std::vector<double> zero;
  for (std::size_t j = 0; j < batches.size(); ++j) {
    const auto [s, r] = batches[j];
    std::vector<double> next;
    for (std::size_t x = 0; x < law.size(); ++x) {
      if (law[x] < 1e-300) continue;
      const double model = j == 0 ? lambda0 : static_cast<double>(x) / previous_n;
      const std::vector<double> row = poisson_law(model * s + lambda0 * r);
      if (next.size() < row.size()) next.resize(row.size(), 0.0);
      for (std::size_t i = 0; i < row.size(); ++i) next[i] += law[x] * row[i];
    }
    while (next.size() > 1 && next.back() < 1e-18) next.pop_back();
    law = next;
    previous_n = s + r;
    zero.push_back(law[0]);
  }
  return zero;
}

TEST(SureshPoisson, ZeroExponentWithAConstantNIsTheoremTwo) {
  for (const std::int64_t n : {1, 7, 100})
    for (std::int64_t k = 1; k <= 300; k += 13)
      EXPECT_NEAR(zero_exponent(k,
                                [&](std::int64_t) {
                                  return std::pair<std::int64_t, std::int64_t>{n, 0};
                                }),
                  static_cast<double>(n) * g(k), 1e-12 * static_cast<double>(n) * g(k))
          << n << " " << k;
}

TEST(SureshPoisson, ZeroExponentIsExactForPerGenerationSizesAndRealSamples) {
  const double lambda0 = 0.15;
  // replace with varying sizes, then grow's j n_j, then fresh_mix's split of n_j into synthetic and real.
  const std::vector<std::vector<std::pair<int, int>>> cases{
      {{10, 0}, {4, 0}, {25, 0}, {7, 0}, {12, 0}, {3, 0}, {30, 0}, {9, 0}},
      {{6, 0}, {12, 0}, {18, 0}, {24, 0}, {30, 0}, {36, 0}},
      {{10, 0}, {7, 3}, {12, 2}, {5, 1}, {15, 5}, {9, 0}, {0, 8}, {11, 1}}};
  for (const auto& batches : cases) {
    const std::vector<double> zero = count_chain_zero(lambda0, batches);
    for (std::size_t k = 1; k <= batches.size(); ++k) {
      const double a = zero_exponent(static_cast<std::int64_t>(k), [&](std::int64_t j) {
        const auto [s, r] = batches[static_cast<std::size_t>(j - 1)];
        return std::pair<std::int64_t, std::int64_t>{s, r};
      });
      EXPECT_NEAR(std::exp(-lambda0 * a), zero[k - 1], 1e-12) << "k=" << k;
    }
  }
}

// The Bernoulli lower bound with per-generation sizes, against the exact Wright-Fisher chain with those
// sizes.
TEST(SureshBernoulli, ZeroExponentLowerBoundHoldsForPerGenerationSizes) {
  const std::vector<int> sizes{12, 5, 30, 8, 20, 6, 15, 40, 10, 25};
  for (const double p0 : {0.02, 0.1, 0.3}) {
    // law over the count of ones, of the fit of generation j on sizes[j-1] draws
    std::vector<double> law{1.0};
    double model_n = 1;  // generation 0: P = p0
    for (std::size_t j = 0; j < sizes.size(); ++j) {
      const int n = sizes[j];
      std::vector<double> next(n + 1, 0.0);
      for (std::size_t x = 0; x < law.size(); ++x) {
        const double p = j == 0 ? p0 : static_cast<double>(x) / model_n;
        const boost::math::binomial_distribution<double> bin(n, p);
        for (int i = 0; i <= n; ++i) next[i] += law[x] * boost::math::pdf(bin, i);
      }
      law = next;
      model_n = n;
      const double a = zero_exponent(static_cast<std::int64_t>(j + 1), [&](std::int64_t i) {
        return std::pair<std::int64_t, std::int64_t>{sizes[static_cast<std::size_t>(i - 1)], 0};
      });
      EXPECT_GE(1.0 - law[0], -std::expm1(-p0 * a) - 1e-12) << "p0=" << p0 << " k=" << j + 1;
    }
  }
}

// ---------- Bernoulli, Theorem 1 and Seddik et al. ----------

TEST(SureshBernoulli, BoundsContainTheExactWrightFisherChain) {
  for (const int n : {20, 50}) {
    for (int n0 = 1; n0 < n; n0 += (n0 < 5 ? 1 : 7)) {
      const double p0 = static_cast<double>(n0) / n;
      const auto laws = wright_fisher_laws(n, n0, 4 * n);
      for (int k = 0; k <= 4 * n; ++k) {
        const std::vector<double>& law = laws[k];
        const double nonzero = 1.0 - law[0];
        const double interior = 1.0 - law[0] - law[n];
        double pq = 0.0;
        for (int i = 0; i <= n; ++i)
          pq += law[i] * (static_cast<double>(i) / n) * (1.0 - static_cast<double>(i) / n);
        const std::string where =
            "n=" + std::to_string(n) + " p0=" + std::to_string(p0) + " k=" + std::to_string(k);

        const Bounds one = bernoulli_nonzero(p0, n, k);
        EXPECT_LE(one.lo, nonzero + kSlack) << where;
        EXPECT_GE(one.hi, nonzero - kSlack) << where;
        const Bounds two = bernoulli_interior(p0, n, k);
        EXPECT_LE(two.lo, interior + kSlack) << where;
        EXPECT_GE(two.hi, interior - kSlack) << where;
        const Bounds seddik = seddik_interior(p0, n, k);
        EXPECT_LE(seddik.lo, interior + kSlack) << where;
        EXPECT_GE(seddik.hi, interior - kSlack) << where;
        EXPECT_NEAR(bernoulli_pq_mean(p0, n, k), pq, 1e-12) << where;
      }
    }
  }
}

TEST(SureshBernoulli, TheoremOneContainsTheExactChainForRareSymbolsInALargePopulation) {
  // The regime the theorem is about: n p0 of order one, n large, where the upper factor is close to 1.
  const int n = 1000;
  for (const int n0 : {1, 3, 10}) {
    const double p0 = static_cast<double>(n0) / n;
    const auto laws = wright_fisher_laws(n, n0, 20);
    for (int k = 1; k <= 20; ++k) {
      const Bounds b = bernoulli_nonzero(p0, n, k);
      EXPECT_LE(b.lo, 1.0 - laws[k][0] + kSlack) << n0 << " " << k;
      EXPECT_GE(b.hi, 1.0 - laws[k][0] - kSlack) << n0 << " " << k;
    }
  }
}

TEST(SureshBernoulli, MatchesTheStatedExpressions) {
  // Containment alone cannot see a bound made tighter than the paper's; evaluate the paper's expressions
  // directly, with g from its own recursion.
  std::vector<double> gk{1.0};
  for (int k = 2; k <= 200; ++k) gk.push_back(1.0 - std::exp(-gk.back()));
  auto thm1 = [&](double p, double n, int k) {
    const double e = std::exp(-n * p * gk[k - 1]);
    return Bounds{1.0 - e, 1.0 - std::max(1.0 - 3.0 * n * p * p - 3.0 * k * p, 0.0) * e};
  };
  for (const double p0 : {0.001, 0.01, 0.05, 0.3, 0.97, 0.999})
    for (const int n : {100, 1000, 100000})
      for (const int k : {1, 3, 10, 200}) {
        const Bounds a = thm1(p0, n, k), b = thm1(1.0 - p0, n, k);
        const Bounds one = bernoulli_nonzero(p0, n, k), two = bernoulli_interior(p0, n, k);
        EXPECT_NEAR(one.lo, a.lo, 1e-12);
        EXPECT_NEAR(one.hi, a.hi, 1e-12);
        EXPECT_NEAR(two.lo, std::clamp(a.lo + b.lo - 1.0, 0.0, 1.0), 1e-12);
        EXPECT_NEAR(two.hi, std::clamp(a.hi + b.hi - 1.0, 0.0, 1.0), 1e-12);
        const double pq = p0 * (1.0 - p0) * std::pow(1.0 - 1.0 / n, k);
        const Bounds seddik = seddik_interior(p0, n, k);
        EXPECT_NEAR(seddik.lo, std::min(4.0 * pq, 1.0), 1e-12);
        EXPECT_NEAR(seddik.hi, std::min(2.0 * n * pq, 1.0), 1e-12);
      }
}

TEST(SureshBernoulli, DegenerateStarts) {
  const Bounds zero = bernoulli_nonzero(0.0, 30, 7);
  EXPECT_EQ(zero.lo, 0.0);
  EXPECT_EQ(zero.hi, 0.0);
  const Bounds one = bernoulli_nonzero(1.0, 30, 7);
  EXPECT_LE(one.lo, 1.0);  // a valid, not tight, lower bound: the chain started at 1 stays at 1
  EXPECT_EQ(one.hi, 1.0);
  const Bounds truth = bernoulli_interior(0.3, 30, 0);
  EXPECT_EQ(truth.lo, 1.0);
  EXPECT_EQ(truth.hi, 1.0);
}

// ---------- discrete, Corollary 1 ----------

TEST(SureshDiscrete, CorollaryOneContainsTheSumOfWrightFisherMarginals) {
  const int n = 30;
  const std::array<int, 4> counts{15, 9, 4, 2};  // p0 = (0.5, 0.3, 0.15, 0.05) with integer n p0
  std::vector<double> p0;
  std::vector<std::vector<std::vector<double>>> laws;
  for (const int c : counts) {
    p0.push_back(static_cast<double>(c) / n);
    laws.push_back(wright_fisher_laws(n, c, 30));
  }
  p0.push_back(0.0);  // a symbol absent from the start is skipped and never alive
  for (int k = 1; k <= 30; ++k) {
    double alive = 0.0;
    for (const auto& law : laws) alive += 1.0 - law[k][0];
    const Bounds b = discrete_alive(p0, n, k);
    EXPECT_LE(b.lo, alive + kSlack) << k;
    EXPECT_GE(b.hi, alive - kSlack) << k;
  }
}

TEST(SureshDiscrete, MarginalsOfTheMultinomialChainAreWrightFisher) {
  // Full multinomial chain on 3 symbols, n = 9: E[#alive] from the joint law equals the marginal sum.
  const int n = 9, k_max = 12;
  const std::array<int, 3> start{5, 3, 1};
  using State = std::array<int, 3>;
  std::map<State, double> law{{start, 1.0}};
  std::vector<std::vector<std::vector<double>>> marginals;
  for (const int c : start) marginals.push_back(wright_fisher_laws(n, c, k_max));
  for (int k = 1; k <= k_max; ++k) {
    std::map<State, double> next;
    for (const auto& [s, mass] : law) {
      const double p0 = static_cast<double>(s[0]) / n, p1 = static_cast<double>(s[1]) / n,
                   p2 = static_cast<double>(s[2]) / n;
      for (int a = 0; a <= n; ++a)
        for (int b = 0; a + b <= n; ++b) {
          const int c = n - a - b;
          const double logp = boost::math::lgamma(n + 1.0) - boost::math::lgamma(a + 1.0) -
                              boost::math::lgamma(b + 1.0) - boost::math::lgamma(c + 1.0);
          const double pr = std::exp(logp) * std::pow(p0, a) * std::pow(p1, b) * std::pow(p2, c);
          if (pr > 0.0) next[{a, b, c}] += mass * pr;
        }
    }
    law = next;
    double alive = 0.0, marginal_sum = 0.0;
    for (const auto& [s, mass] : law)
      for (const int x : s) alive += mass * (x > 0 ? 1.0 : 0.0);
    for (const auto& m : marginals) marginal_sum += 1.0 - m[k][0];
    EXPECT_NEAR(alive, marginal_sum, 1e-12) << k;
    const std::vector<double> p{5.0 / n, 3.0 / n, 1.0 / n};
    const Bounds b = discrete_alive(p, n, k);
    EXPECT_LE(b.lo, alive + kSlack) << k;
    EXPECT_GE(b.hi, alive - kSlack) << k;
  }
}

TEST(SureshDiscrete, CorollaryOneIsTheSumOfTheorem1BoundsOverSymbols) {
  // discrete_alive inlines bernoulli_nonzero without its branches and clamps, with the SIMD exp (within 4 ulps
  // of std::exp, tests/core/vector_math_test.cpp) for std::exp: every term, and so every total, must agree to
  // a few ulps per term. Zero entries add nothing; k = 0 counts the support exactly.
  const std::vector<double> p0{0.4, 0.0, 0.25, 1e-7, 0.2, 0.0, 0.1, 0.05 - 1e-7};
  for (const std::int64_t n : {1, 30, 100000})
    for (const std::int64_t k : {0, 1, 2, 7, 50, 1000}) {
      Bounds sum{0.0, 0.0};
      for (const double p : p0) {
        if (p == 0.0) continue;
        const Bounds b = bernoulli_nonzero(p, n, k);
        sum.lo += b.lo;
        sum.hi += b.hi;
      }
      const Bounds got = discrete_alive(p0, n, k);
      // Six terms of at most 1, each off by at most 4 ulps of its exponential, and the sum's own rounding.
      EXPECT_NEAR(got.lo, sum.lo, 1e-14) << "n = " << n << ", k = " << k;
      EXPECT_NEAR(got.hi, sum.hi, 1e-14) << "n = " << n << ", k = " << k;
    }
  EXPECT_EQ(discrete_alive(p0, 10, 0).lo, 6.0);
  EXPECT_THROW(discrete_alive(std::vector<double>{0.5, -0.1}, 10, 3), std::invalid_argument);
  EXPECT_THROW(discrete_alive(std::vector<double>{0.5, 1.5}, 10, 3), std::invalid_argument);
  EXPECT_THROW(discrete_alive(std::vector<double>{0.5, std::nan("")}, 10, 3), std::invalid_argument);
}

TEST(SureshDiscrete, SymbolSurvivalIsTheLowerTermOfOneSymbol) {
  // Corollary 1's lower term for a symbol with count c = n p0 is 1 - exp(-c g_k); large k gives ~2c/k.
  for (const std::int64_t k : {1, 5, 50})
    EXPECT_DOUBLE_EQ(symbol_survival(6.0, k), bernoulli_nonzero(0.2, 30, k).lo);
  EXPECT_NEAR(symbol_survival(3.0, 100000) / (6.0 / 1e5), 1.0, 1e-3);
  EXPECT_EQ(symbol_survival(3.0, 0), 1.0);
}

// ---------- Gaussian ----------

// E[h(chi2_v)] by exp_sinh quadrature on (0, inf), which copes with the x^{-1/2} endpoint of v = 1.
double chi2_expectation(double v, const std::function<double(double)>& h) {
  const boost::math::chi_squared_distribution<double> chi2(v);
  boost::math::quadrature::exp_sinh<double> integrator;
  return integrator.integrate([&](double x) { return x <= 0.0 ? 0.0 : h(x) * boost::math::pdf(chi2, x); },
                              1e-13);
}

const std::array<std::int64_t, 6> kGaussianN{2, 3, 5, 10, 30, 200};

TEST(SureshGaussian, OneStepMeansMatchQuadrature) {
  const double s0 = 2.5;
  for (const std::int64_t n : kGaussianN) {
    const double v = static_cast<double>(n - 1);
    for (const int ddof : {0, 1}) {
      const double d = static_cast<double>(n - ddof);
      const double mean = chi2_expectation(v, [&](double x) { return s0 * x / d; });
      const double log_mean = chi2_expectation(v, [&](double x) { return std::log(s0 * x / d); });
      EXPECT_NEAR(gaussian_variance_mean(s0, n, 1, ddof), mean, 1e-10) << n << " " << ddof;
      EXPECT_NEAR(gaussian_log_variance_mean(s0, n, 1, ddof), log_mean, 1e-9) << n << " " << ddof;
    }
  }
}

TEST(SureshGaussian, KStepMeansCompoundTheOneStep) {
  // Independent steps: log-variance increments add, variance factors multiply.
  const double s0 = 0.7;
  for (const std::int64_t n : kGaussianN)
    for (const int ddof : {0, 1})
      for (const std::int64_t k : {0, 2, 7, 1000}) {
        const double kd = static_cast<double>(k);
        const double step = gaussian_log_variance_mean(s0, n, 1, ddof) - std::log(s0);
        EXPECT_NEAR(gaussian_log_variance_mean(s0, n, k, ddof), std::log(s0) + kd * step, 1e-12 * (1.0 + kd));
        const double factor = gaussian_variance_mean(s0, n, 1, ddof) / s0;
        EXPECT_NEAR(gaussian_variance_mean(s0, n, k, ddof) / s0, std::pow(factor, kd), 1e-12);
      }
}

TEST(SureshGaussian, AlphaAndMomentsMatchQuadrature) {
  for (const std::int64_t n : kGaussianN) {
    const double v = static_cast<double>(n - 1);
    const double alpha = chi2_expectation(v, [&](double x) { return std::sqrt(x / v); });
    EXPECT_NEAR(bertrand_alpha(n), alpha, 1e-10) << n;
    EXPECT_NEAR(moment_m(1.0, n), bertrand_alpha(n), 1e-13) << n;  // s = 1 is Bertrand's alpha
    for (const double s : {0.3, 0.7, 2.0, 3.0}) {
      const double m = chi2_expectation(v, [&](double x) { return std::pow(x / v, s / 2.0); });
      EXPECT_NEAR(moment_m(s, n), m, 1e-10 * m) << n << " s=" << s;
    }
    EXPECT_NEAR(moment_m(2.0, n), 1.0, 1e-13);  // unbiased variance
  }
}

TEST(SureshGaussian, TailBoundsHoldAgainstTheExactLawAtOneAndTwoSteps) {
  // Sigma_1^2 = sigma0^2 Y1/(n-1) and Sigma_2^2 = sigma0^2 Y1 Y2/(n-1)^2 with Y iid chi2_{n-1}.
  const double sigma0 = 1.3;
  for (const std::int64_t n : kGaussianN) {
    const double v = static_cast<double>(n - 1);
    const boost::math::chi_squared_distribution<double> chi2(v);
    for (const double ratio : {0.5, 0.9, 1.0, 1.1, 1.5, 3.0}) {
      const double eps = ratio * sigma0;
      const double t = v * eps * eps / (sigma0 * sigma0);
      const double exact1 = boost::math::cdf(boost::math::complement(chi2, t));
      const double exact2 = chi2_expectation(
          v, [&](double y) { return boost::math::cdf(boost::math::complement(chi2, v * t / y)); });
      const std::array<double, 2> exact{exact1, exact2};
      for (std::int64_t k = 1; k <= 2; ++k) {
        const double e = exact[k - 1];
        const std::string where = "n=" + std::to_string(n) + " eps/sigma0=" + std::to_string(ratio);
        EXPECT_GE(gaussian_sigma_tail_thm3(sigma0, eps, n, k), e - 1e-9) << where << " k=" << k;
        EXPECT_GE(gaussian_sigma_tail_bertrand(sigma0, eps, n, k), e - 1e-9) << where << " k=" << k;
        for (const double s : {0.3, 0.7, 2.0})
          EXPECT_GE(gaussian_sigma_tail_moment(sigma0, eps, n, k, s), e - 1e-9) << where << " k=" << k;
      }
    }
  }
}

TEST(SureshGaussian, BertrandRateImpliesTheoremThree) {
  // alpha(n) <= exp(-1/(4n-1)) makes Theorem 3 a consequence of the Bertrand (Markov, s = 1) bound for all k.
  for (std::int64_t n = 2; n <= 100000; n = n < 100 ? n + 1 : n * 3 / 2)
    EXPECT_LE(std::log(bertrand_alpha(n)), -1.0 / (4.0 * static_cast<double>(n) - 1.0)) << n;
}

TEST(SureshGaussian, TailBoundsAreCappedAtOne) {
  EXPECT_EQ(gaussian_sigma_tail_thm3(1.0, 0.1, 10, 1), 1.0);
  EXPECT_EQ(gaussian_sigma_tail_bertrand(1.0, 0.1, 10, 1), 1.0);
  EXPECT_EQ(gaussian_sigma_tail_moment(1.0, 0.1, 10, 1, 0.7), 1.0);
  EXPECT_EQ(gaussian_sigma_tail_thm3(1.0, 0.5, 10, 100000), 0.0);  // underflow, not NaN
}

TEST(SureshGaussian, MeanSquaredErrorOfTheReplaceChain) {
  const double s0 = 1.7;
  for (const std::int64_t n : kGaussianN) {
    const double nd = static_cast<double>(n);
    for (const int ddof : {0, 1}) {
      EXPECT_NEAR(gaussian_mean_sq_error_replace(s0, n, 1, ddof), s0 / nd, 1e-15) << n;  // Sigma_0 = sigma0
      EXPECT_EQ(gaussian_mean_sq_error_replace(s0, n, 0, ddof), 0.0);
      // The sum over generations of E[Sigma_j^2]/n, term by term.
      double sum = 0.0;
      for (std::int64_t k = 1; k <= 60; ++k) {
        sum += gaussian_variance_mean(s0, n, k - 1, ddof) / nd;
        EXPECT_NEAR(gaussian_mean_sq_error_replace(s0, n, k, ddof), sum, 1e-12 * sum) << n << " " << k;
      }
    }
    EXPECT_NEAR(gaussian_mean_sq_error_replace(s0, n, 37, 1), 37.0 * s0 / nd, 1e-13);
  }
}

TEST(SureshArguments, InvalidInputsThrow) {
  EXPECT_THROW(g(-1), std::invalid_argument);
  EXPECT_THROW(bernoulli_nonzero(1.5, 10, 1), std::invalid_argument);
  EXPECT_THROW(bernoulli_nonzero(0.5, 0, 1), std::invalid_argument);
  EXPECT_THROW(gaussian_variance_mean(1.0, 10, 1, 2), std::invalid_argument);
  EXPECT_THROW(gaussian_log_variance_mean(1.0, 1, 1, 1), std::invalid_argument);
  EXPECT_THROW(bertrand_alpha(1), std::invalid_argument);
}

}  // namespace
}  // namespace ouro::theory
