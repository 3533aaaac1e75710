#include "ouroboros/theory/barzilai_shamir2025.hpp"

#include <algorithm>
#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/log1p.hpp>
#include <boost/math/special_functions/trigamma.hpp>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

namespace ouro::theory {

// [derived] After rounds 0..t the pool holds t+1 batches of n points; the first t average to mu^(t) and the
// newest is drawn around mu^(t). So mu^(t+1) = (t mu^(t) + mu^(t) + eps_t)/(t+1) = mu^(t) + eps_t/(t+1),
// with eps_t ~ N(0, sigma^2/n) the newest batch's mean noise, independent of the past; hence
// mu^(k) - mu* = sum_{t=0}^{k-1} eps_t/(t+1). The partial sum is written as pi^2/6 - psi'(k+1) (trigamma)
// so a caller walking k = 1..K pays O(1) per call rather than O(k).
double accumulated_mean_variance(double sigma_sq, std::int64_t n, std::int64_t k) {
  if (n < 1 || k < 0) throw std::invalid_argument("ouro::theory: need n >= 1 and k >= 0");
  if (k == 0) return 0.0;
  const double partial =
      accumulated_variance_ratio_limit() - boost::math::trigamma(static_cast<double>(k) + 1.0);
  return sigma_sq / static_cast<double>(n) * partial;
}

double accumulated_variance_ratio_limit() { return std::numbers::pi * std::numbers::pi / 6.0; }

namespace {
// log m - psi(m). For large m the two terms agree to many digits, so the asymptotic series is used there:
// 1/(2m) + sum_k B_2k / (2k m^2k) (Abramowitz & Stegun 6.3.18); from m = 20 on its first six terms leave an
// error below 1e-17 relative.
double log_minus_digamma(double m) {
  if (m < 20) return std::log(m) - boost::math::digamma(m);
  const double z = 1 / (m * m);
  return 0.5 / m + z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 - z * (1.0 / 240 - z * (1.0 / 132)))));
}
}  // namespace

RateFactor rate_factor(double a, double m) {
  if (!(a >= 0) || !(m > 0)) throw std::invalid_argument("ouro::theory: rate_factor needs a >= 0 and m > 0");
  if (a > 0) return rate_factor_quadrature(a, m);
  // [derived] X = m/G: E[1/G] = 1/(m-1), E[1/G^2] = 1/((m-1)(m-2)), E[log G] = psi(m).
  constexpr double kInf = std::numeric_limits<double>::infinity();
  return {m > 1 ? 1 / (m - 1) : kInf, m > 2 ? (3 * m - 2) / ((m - 1) * (m - 2)) : kInf, log_minus_digamma(m)};
}

RateFactor rate_factor_quadrature(double a, double m) {
  if (!(a >= 0) || !(m > 0) || (a == 0 && !(m > 2)))
    throw std::invalid_argument(
        "ouro::theory: rate_factor_quadrature needs a >= 0, m > 0, and m > 2 when a = 0");
  const double r = a + m;
  // e^-t expm1(phi(t)). Where phi is large, e^-t e^phi = exp(-t a/r - m log1p(t/r)) is formed directly: the
  // difference of two huge exponents would overflow.
  const auto core = [=](double t) {
    const double phi = -m * boost::math::log1pmx(t / r);
    if (phi < 1) return std::exp(-t) * std::expm1(phi);
    return std::exp(-t * (a / r) - m * std::log1p(t / r)) - std::exp(-t);
  };
  // Not const: Boost 1.74 declares the one-sided integrate const but defines it without.
  static boost::math::quadrature::exp_sinh<double> integrator;
  constexpr double kTolerance = 1e-13;
  RateFactor f{};
  f.mean_minus_one = integrator.integrate(core, kTolerance);
  f.second_minus_one = integrator.integrate([&](double t) { return t * core(t); }, kTolerance);
  f.mean_log = integrator.integrate([&](double t) { return core(t) / t; }, kTolerance);
  return f;
}

}  // namespace ouro::theory

namespace ouro::theory {

namespace {
// E[phi(alpha_0)], alpha_0 = min(1/4, (1 - M)/2), M the largest of n uniforms on [0,1] (density n m^(n-1)).
// With e = n (1 - M) the density is (1 - e/n)^(n-1) on [0, n]: smooth at the scale of e, where the original
// one piles up in the last 1/n of [0,1]. Past e = 100 it is below e^-50 (n >= 2), so the integral stops there;
// it is split where alpha_0 reaches its cap 1/4 (e = n/2), a kink.
template <class Phi>
double expect_over_round1_alpha(std::int64_t n, Phi phi) {
  if (n < 1) throw std::invalid_argument("ouro::theory: need n >= 1");
  const double nd = static_cast<double>(n);
  const auto integrand = [&](double e) {
    const double alpha = std::min(0.25, e / (2 * nd));
    return std::pow(std::max(0.0, 1 - e / nd), nd - 1) * phi(alpha);
  };
  using Quadrature = boost::math::quadrature::gauss_kronrod<double, 61>;
  const double end = std::min(nd, 100.0), kink = nd / 2;
  if (kink >= end) return Quadrature::integrate(integrand, 0.0, end, 15, 1e-12);
  return Quadrature::integrate(integrand, 0.0, kink, 15, 1e-12) + Quadrature::integrate(integrand, kink, end, 15, 1e-12);
}

double rounds_exponent(std::int64_t n, std::int64_t k) {
  if (k < 1) throw std::invalid_argument("ouro::theory: need k >= 1");
  return static_cast<double>(n) * static_cast<double>(k - 1);  // synthetic samples drawn in rounds 2..k
}
}  // namespace

double staircase_round1_tv(std::int64_t n) {
  return expect_over_round1_alpha(n, [](double a) { return a; });
}

// [derived] Before the switch, under accumulate, the step-0 fit alpha_0 never moves and each synthetic sample
// reaches step height-1 or above with conditional probability prod_{j < height-1} alpha_j <= alpha_0 4^(2-height)
// (alpha_j <= 1/4); chaining the n (k-1) synthetic draws of rounds 2..k gives the bound, exact for height 2.
double staircase_no_switch_bound(std::int64_t n, std::int64_t height, std::int64_t k) {
  if (height < 2) throw std::invalid_argument("ouro::theory: need height >= 2");
  const double draws = rounds_exponent(n, k), scale = std::pow(4.0, static_cast<double>(2 - height));
  return expect_over_round1_alpha(n, [&](double a) { return std::exp(draws * std::log1p(-a * scale)); });
}

// [derived] Height 2: the model is h (tv = alpha_0) until the first synthetic sample above 1, then g_2 (tv 3/4).
double staircase_tv_height2(std::int64_t n, std::int64_t k) {
  const double draws = rounds_exponent(n, k);
  return expect_over_round1_alpha(n, [&](double a) {
    const double stay = std::exp(draws * std::log1p(-a));
    return a * stay + 0.75 * (1 - stay);
  });
}

}  // namespace ouro::theory
