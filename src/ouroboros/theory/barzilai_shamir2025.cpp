#include "ouroboros/theory/barzilai_shamir2025.hpp"

#include <boost/math/special_functions/trigamma.hpp>
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
