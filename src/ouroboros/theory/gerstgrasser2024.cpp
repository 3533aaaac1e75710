#include "ouroboros/theory/gerstgrasser2024.hpp"

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>
#include <numbers>
#include <stdexcept>

namespace ouro::theory {

double ols_fit_variance(double sigma_sq, std::int64_t d, std::int64_t T) {
  if (d < 1 || T < d + 2)
    throw std::invalid_argument("ouro::theory: OLS test error needs d >= 1 and T >= d + 2");
  return sigma_sq * static_cast<double>(d) / static_cast<double>(T - d - 1);
}

double replace_multiplier(std::int64_t n) { return static_cast<double>(n); }

// [derived] w_n = w* + (X^T X)^{-1} X^T sum_i E_i / i (Gerstgrasser et al. 2024): the noise of fit i enters
// with weight 1/i, so the variance carries sum 1/i^2. Closed form in n so a caller walking n pays O(1).
double accumulate_multiplier(std::int64_t n) {
  if (n <= 0) return 0.0;
  return std::numbers::pi * std::numbers::pi / 6.0 - boost::math::trigamma(static_cast<double>(n) + 1.0);
}

// [derived] Under grow fit k sees X tiled k times with k independent noise vectors, so
// w_k = w_{k-1} + (X^T X)^{-1} X^T (mean of k noise vectors): the k-th increment has variance 1/k of a fit's.
double grow_multiplier(std::int64_t n) {
  if (n <= 0) return 0.0;
  return boost::math::digamma(static_cast<double>(n) + 1.0) + std::numbers::egamma;
}

}  // namespace ouro::theory
