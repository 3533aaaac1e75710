#pragma once
// power: p(x; theta) = theta x^(theta - 1) on (0, 1) (a Beta(theta, 1) law).
//
// Estimators mle: theta = n / sum(-log x); optimized: the same likelihood maximised numerically (Brent).
// Statistics T = sum(-log x): -log X ~ Exponential(theta), so T ~ Gamma(n, 1) / theta exactly
//            (families/common/rate_mle.hpp). The sample kernel holds each sample as log x = -E / theta with
//            E ~ Exponential(1): x itself underflows to 0 for small theta (theta = 0.01 gives x < 1e-308 in
//            about 6 draws in 10^4), and log x keeps every draw exact.
// References Barzilai & Shamir (NeurIPS 2025), Appendix G: the error ratio grows more for small theta
//            (a less smooth family).
//
// Parameters
//   truth: theta (1, > 0)
//   model: estimator = mle | optimized (mle)
#include <cmath>

#include "ouroboros/families/common/rate_family.hpp"

namespace ouro {

struct PowerTraits {
  static constexpr const char* kName = "power";
  static constexpr const char* kSummary = "p(x; theta) = theta x^(theta - 1) on (0, 1)";
  static constexpr const char* kParameter = "theta";
  static constexpr const char* kParameterHelp = "exponent of the true distribution";
  static constexpr const char* kStatistic = "-log x";
  static constexpr double kDefault = 1.0;
  static double from_exponential(double e) { return -e; }        // the sample, held as log x
  static double statistic(double log_x) { return -log_x; }
};

using PowerFamily = RateFamily<PowerTraits>;

}  // namespace ouro
