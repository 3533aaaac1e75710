// The saddle-point pmfs (core/pmf.hpp) against Boost.Math where Boost is exact enough to judge them, and
// against exact facts (the ratio of neighbouring probabilities, the total mass) where the populations are so
// large that any log-gamma route loses the digits being checked.
#include "ouroboros/core/pmf.hpp"

#include <gtest/gtest.h>

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/hypergeometric.hpp>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace ouro {
namespace {

double relative(double a, double b) { return std::abs(a - b) / std::abs(b); }

TEST(Pmf, StirlingErrorMatchesLogFactorial) {
  // Below 30: log(n!) summed in long double (below 72, so within 1e-17), minus Stirling's formula.
  long double log_factorial = 0;
  for (std::int64_t n = 1; n < 30; ++n) {
    const long double ld = static_cast<long double>(n);
    log_factorial += std::log(ld);
    const long double exact =
        log_factorial - (0.5L * std::log(2 * std::numbers::pi_v<long double> * ld) + ld * std::log(ld) - ld);
    EXPECT_NEAR(pmf::stirling_error(n), static_cast<double>(exact), 1e-17) << n;
  }
  // From 30 on: the asymptotic series with two more terms (691/360360 n^-11, -1/156 n^-13), in long double.
  for (std::int64_t n = 30; n <= 100'000; n = n < 64 ? n + 1 : n * 3 / 2) {
    const long double r = 1.0L / static_cast<long double>(n), r2 = r * r;
    const long double series =
        (1.0L / 12 -
         r2 * (1.0L / 360 - r2 * (1.0L / 1260 - r2 * (1.0L / 1680 - r2 * (1.0L / 1188 - r2 * (691.0L / 360360 -
                                                                                            r2 * (1.0L / 156))))))) *
        r;
    EXPECT_LT(relative(pmf::stirling_error(n), static_cast<double>(series)), 4e-16) << n;
  }
}

TEST(Pmf, DevianceIsAccurateOnBothBranches) {
  // Near np the series; far from it the closed form. Both against the closed form in long double.
  for (const double np : {0.5, 3.0, 100.0, 1e6}) {
    for (const double ratio : {0.0, 0.5, 0.91, 0.99, 1.0, 1.0001, 1.05, 1.11, 3.0}) {
      const double x = np * ratio;
      const long double xl = x, npl = np;
      const long double exact = x == 0 ? npl : xl * std::log(xl / npl) + npl - xl;
      EXPECT_LE(std::abs(pmf::deviance(x, np) - static_cast<double>(exact)), 1e-15 * np + 1e-300)
          << "x " << x << " np " << np;
    }
  }
}

TEST(Pmf, BinomialMatchesBoost) {
  // Boost's own error reaches a few 1e-11 here: b(0; 10^6, 10^-6) = (1 - 10^-6)^(10^6) is
  // 0.36787925723164511093 to 20 digits (exact decimal arithmetic on the double 10^-6), Boost gives
  // 0.36787925722106646 and this pmf 0.36787925723164511.
  EXPECT_LT(relative(pmf::binomial(0, 1'000'000, 1e-6, 1 - 1e-6), 0.36787925723164511093), 3e-16);
  for (const std::int64_t n : {1, 2, 7, 30, 1000, 1'000'000}) {
    for (const double p : {1e-6, 0.01, 0.3, 0.5, 0.77, 0.999}) {
      const boost::math::binomial_distribution<> d(static_cast<double>(n), p);
      const double mean = static_cast<double>(n) * p, sd = std::sqrt(mean * (1 - p));
      const auto lo = static_cast<std::int64_t>(std::max(0.0, mean - 8 * sd - 2));
      const auto hi = static_cast<std::int64_t>(std::min(static_cast<double>(n), mean + 8 * sd + 2));
      for (std::int64_t x = lo; x <= hi; x += std::max<std::int64_t>(1, (hi - lo) / 50)) {
        const double want = boost::math::pdf(d, static_cast<double>(x));
        if (want < 1e-280) continue;
        EXPECT_LT(relative(pmf::binomial(x, n, p, 1 - p), want), 1e-10) << "b(" << x << "; " << n << ", " << p << ")";
      }
    }
  }
}

TEST(Pmf, HypergeometricMatchesBoost) {
  struct Case {
    std::int64_t population, marked, draws;
  };
  for (const Case c : {Case{50, 20, 10}, Case{100, 99, 50}, Case{1000, 5, 10}, Case{10'000, 5000, 5000},
                       Case{1'000'000, 300'000, 50'000}, Case{2'000'000, 17, 100'000}}) {
    const boost::math::hypergeometric_distribution<> d(static_cast<unsigned>(c.marked), static_cast<unsigned>(c.draws),
                                                       static_cast<unsigned>(c.population));
    const std::int64_t lo = std::max<std::int64_t>(0, c.draws - (c.population - c.marked));
    const std::int64_t hi = std::min(c.draws, c.marked);
    for (std::int64_t x = lo; x <= hi; x += std::max<std::int64_t>(1, (hi - lo) / 200)) {
      const double want = boost::math::pdf(d, static_cast<unsigned>(x));
      if (want < 1e-280) continue;
      EXPECT_LT(relative(pmf::hypergeometric(x, c.population, c.marked, c.draws), want), 1e-11)
          << "h(" << x << "; " << c.population << ", " << c.marked << ", " << c.draws << ")";
    }
  }
}

TEST(Pmf, HypergeometricKeepsItsDigitsForHugePopulations) {
  // A pool of 10^9 items, as an accumulate_subsample pool reaches: a difference of log-gammas near 2 * 10^10
  // would keep about six digits. The ratio of neighbours is exact arithmetic on integers, and the mass within
  // 12 sd of the mean is 1 to double precision.
  const std::int64_t population = 1'000'000'000, marked = 300'000'000, draws = 100'000;
  const double mean = static_cast<double>(draws) * 0.3;
  const double sd = std::sqrt(mean * 0.7 * static_cast<double>(population - draws) / static_cast<double>(population));
  const auto lo = static_cast<std::int64_t>(mean - 12 * sd), hi = static_cast<std::int64_t>(mean + 12 * sd);
  double total = 0, worst = 0;
  double previous = pmf::hypergeometric(lo, population, marked, draws);
  total += previous;
  for (std::int64_t x = lo; x < hi; ++x) {
    const double next = pmf::hypergeometric(x + 1, population, marked, draws);
    const double ratio = static_cast<double>(marked - x) * static_cast<double>(draws - x) /
                         (static_cast<double>(x + 1) * static_cast<double>(population - marked - draws + x + 1));
    worst = std::max(worst, relative(next / previous, ratio));
    total += next;
    previous = next;
  }
  EXPECT_LT(worst, 1e-13);
  EXPECT_NEAR(total, 1.0, 1e-12);
}

}  // namespace
}  // namespace ouro
