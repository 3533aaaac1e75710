// Checks the Barzilai & Shamir (NeurIPS 2025) accumulate closed form against the recursion it comes from and
// against an exact linear-algebra computation of the pooled MLE that does not use the telescoped recursion.
#include "ouroboros/theory/barzilai_shamir2025.hpp"

#include <gtest/gtest.h>

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/expint.hpp>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "ouroboros/core/rng.hpp"
#include "ouroboros/core/samplers.hpp"
#include "support/stats.hpp"

namespace ouro::theory {
namespace {

TEST(BarzilaiShamir, LimitIsPiSquaredOverSix) {
  EXPECT_DOUBLE_EQ(accumulated_variance_ratio_limit(), std::numbers::pi * std::numbers::pi / 6.0);
}

TEST(BarzilaiShamir, OneRoundIsTheSampleMeanVariance) {
  EXPECT_EQ(accumulated_mean_variance(2.0, 10, 0), 0.0);  // mu^(0) = mu*
  EXPECT_NEAR(accumulated_mean_variance(2.0, 10, 1), 0.2, 1e-15);
  EXPECT_NEAR(accumulated_mean_variance(1.0, 1, 1), 1.0, 1e-15);
}

TEST(BarzilaiShamir, MatchesTheVarianceRecursion) {
  // Var_{t+1} = Var_t + sigma^2/(n (t+1)^2), Var_0 = 0, from mu^(t+1) = mu^(t) + eps_t/(t+1).
  const double sigma_sq = 3.0;
  const std::int64_t n = 7;
  double var = 0.0;
  for (std::int64_t t = 0; t < 5000; ++t) {
    const double next = static_cast<double>(t + 1);
    var += sigma_sq / (static_cast<double>(n) * next * next);
    ASSERT_NEAR(accumulated_mean_variance(sigma_sq, n, t + 1), var, 1e-14 * var) << t + 1;
  }
}

TEST(BarzilaiShamir, MatchesThePooledMleAsALinearFunctionOfTheBatchNoises) {
  // Write mu^(t) - mu* = sum_s c_s^(t) eta_s, with eta_s ~ N(0, sigma^2/n) the mean noise of batch s (drawn
  // in round s around mu^(s)). The pooled MLE after rounds 0..t is the mean of the t+1 batch means:
  //   c^(t+1) = (1/(t+1)) sum_{s<=t} (c^(s) + e_s),
  // so Var(mu^(T) - mu*) = (sigma^2/n) |c^(T)|^2 exactly, with no telescoping assumed.
  const double sigma_sq = 1.5;
  const std::int64_t n = 20;
  const int rounds = 60;
  std::vector<std::vector<double>> c{std::vector<double>(rounds, 0.0)};  // c^(0) = 0: mu^(0) = mu*
  for (int t = 0; t < rounds; ++t) {
    std::vector<double> next(rounds, 0.0);
    for (int s = 0; s <= t; ++s) {
      for (int j = 0; j < rounds; ++j) next[j] += c[s][j];
      next[s] += 1.0;
    }
    for (double& x : next) x /= static_cast<double>(t + 1);
    c.push_back(next);
    double norm_sq = 0.0;
    for (const double x : next) norm_sq += x * x;
    const double exact = sigma_sq / static_cast<double>(n) * norm_sq;
    EXPECT_NEAR(accumulated_mean_variance(sigma_sq, n, t + 1), exact, 1e-13 * exact) << t + 1;
  }
}

TEST(BarzilaiShamir, IncreasesToTheLimit) {
  const double sigma_sq = 2.0;
  const std::int64_t n = 50;
  const double limit = accumulated_variance_ratio_limit() * sigma_sq / static_cast<double>(n);
  double previous = 0.0;
  for (std::int64_t k = 1; k <= 10000; ++k) {
    const double v = accumulated_mean_variance(sigma_sq, n, k);
    ASSERT_GT(v, previous) << k;
    ASSERT_LT(v, limit) << k;
    previous = v;
  }
  // The tail sum_{t>k} 1/t^2 lies between 1/(k+1) and 1/k.
  for (const std::int64_t k : {10, 1000, 1000000}) {
    const double gap =
        (limit - accumulated_mean_variance(sigma_sq, n, k)) * static_cast<double>(n) / sigma_sq;
    const double kd = static_cast<double>(k);
    EXPECT_GT(gap, 1.0 / (kd + 1.0) * (1.0 - 1e-6)) << k;
    EXPECT_LT(gap, 1.0 / kd * (1.0 + 1e-6)) << k;
  }
}

TEST(BarzilaiShamir, InvalidInputsThrow) {
  EXPECT_THROW(accumulated_mean_variance(1.0, 0, 3), std::invalid_argument);
  EXPECT_THROW(accumulated_mean_variance(1.0, 5, -1), std::invalid_argument);
  EXPECT_THROW(rate_factor(-1.0, 5.0), std::invalid_argument);
  EXPECT_THROW(rate_factor(1.0, 0.0), std::invalid_argument);
  EXPECT_THROW(rate_factor_quadrature(0.0, 2.0), std::invalid_argument);
}

// ---------- the rate factor X = (a + m)/(a + G), G ~ Gamma(m, 1) ----------

// Replace's factor (a = 0): the quadrature against the closed forms n/(n-1), n^2/((n-1)(n-2)), log n -
// psi(n).
TEST(RateFactor, QuadratureMatchesTheClosedFormsWithoutAPool) {
  for (const double m : {3.0, 4.0, 7.0, 20.0, 1000.0, 1e6}) {
    const RateFactor q = rate_factor_quadrature(0.0, m), c = rate_factor(0.0, m);
    EXPECT_NEAR(c.mean_minus_one, 1 / (m - 1), 1e-15 / m);
    EXPECT_NEAR(1 + c.second_minus_one, m * m / ((m - 1) * (m - 2)), 1e-15);
    // The difference log m - psi(m) loses about log10(m) digits (rate_factor takes the asymptotic series
    // there).
    EXPECT_NEAR(c.mean_log, std::log(m) - boost::math::digamma(m), 4e-16 * std::log(m));
    EXPECT_NEAR(q.mean_minus_one, c.mean_minus_one, 1e-12 * c.mean_minus_one) << m;
    EXPECT_NEAR(q.second_minus_one, c.second_minus_one, 1e-12 * c.second_minus_one) << m;
    EXPECT_NEAR(q.mean_log, c.mean_log, 1e-11 * c.mean_log) << m;
  }
  EXPECT_TRUE(std::isinf(rate_factor(0.0, 1.0).mean_minus_one));
  EXPECT_TRUE(std::isinf(rate_factor(0.0, 2.0).second_minus_one));
  EXPECT_TRUE(std::isfinite(rate_factor(0.0, 2.0).mean_minus_one));
}

// With a pool (a > 0) and integer m: E[1/(a+G)] = int_0^inf e^{-as} (1+s)^{-m} ds = e^a E_m(a) and
// E[1/(a+G)^2] = e^a (E_{m-1}(a) - E_m(a)), E_n the generalised exponential integral (Boost.Math expint).
TEST(RateFactor, QuadratureMatchesExponentialIntegralsWithAPool) {
  for (const unsigned m : {3u, 20u, 100u})
    for (const double a : {1.0, 5.0, 20.0, 60.0, 200.0}) {
      const double r = a + m;
      const double e_m = boost::math::expint(m, a), e_m1 = boost::math::expint(m - 1, a);
      const double mean = r * std::exp(a) * e_m, second = r * r * std::exp(a) * (e_m1 - e_m);
      const RateFactor f = rate_factor(a, m);
      EXPECT_NEAR(1 + f.mean_minus_one, mean, 1e-13 * mean) << "a=" << a << " m=" << m;
      EXPECT_NEAR(1 + f.second_minus_one, second, 1e-11 * second) << "a=" << a << " m=" << m;
    }
}

// A pool much larger than the batch: X = 1/(1 + Z), Z = (G - m)/r with E[Z^2] = m/r^2, E[Z^3] = 2m/r^3, so
// E[X] - 1 = m/r^2 - 2m/r^3 + O(m^2/r^4), E[X^2] - 1 = 3m/r^2 + O(m/r^3), E[log X] = m/(2r^2) + O(m/r^3).
TEST(RateFactor, LargePoolsAreSecondOrderInTheBatch) {
  const double a = 1e8, m = 100, r = a + m;
  const RateFactor f = rate_factor(a, m);
  EXPECT_NEAR(f.mean_minus_one, m / (r * r) - 2 * m / (r * r * r), 1e-6 * m / (r * r));
  EXPECT_NEAR(f.second_minus_one, 3 * m / (r * r), 1e-6 * m / (r * r));
  EXPECT_NEAR(f.mean_log, m / (2 * r * r), 1e-6 * m / (r * r));
}

// One factor of accumulate's third generation at n = 20 (a pool of 40), by direct simulation of G.
TEST(RateFactor, MatchesMonteCarloOfOneFactor) {
  const double a = 40, m = 20;
  Rng rng(11, 0, 1, Stream::kSynthetic);
  std::vector<double> x, x2, lx;
  for (int i = 0; i < 400000; ++i) {
    const double v = (a + m) / (a + draw_gamma(rng, m));
    x.push_back(v);
    x2.push_back(v * v);
    lx.push_back(std::log(v));
  }
  const RateFactor f = rate_factor(a, m);
  const auto mx = testing::moments(x), mx2 = testing::moments(x2), mlx = testing::moments(lx);
  EXPECT_NEAR(mx.mean, 1 + f.mean_minus_one, 4 * mx.se);
  EXPECT_NEAR(mx2.mean, 1 + f.second_minus_one, 4 * mx2.se);
  EXPECT_NEAR(mlx.mean, f.mean_log, 4 * mlx.se);
}

}  // namespace
}  // namespace ouro::theory
