#include "ouroboros/theory/barzilai_shamir2025.hpp"

#include <algorithm>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/trigamma.hpp>
#include <cmath>
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
