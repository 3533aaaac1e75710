#pragma once
// exponential: X ~ Exponential(rate), density rate * exp(-rate x) on x > 0.
//
// Estimators mle: rate = n / sum x; optimized: the same likelihood maximised numerically (Brent).
// Statistics the sum of the samples; exact draw Gamma(n, 1) / rate (families/common/rate_mle.hpp).
// References Barzilai & Shamir (NeurIPS 2025), Appendix G (exact vs optimised MLE).
//
// Parameters
//   truth: rate (1, > 0)
//   model: estimator = mle | optimized (mle)
#include <cmath>

#include "ouroboros/families/common/rate_family.hpp"

namespace ouro {

struct ExponentialTraits {
  static constexpr const char* kName = "exponential";
  static constexpr const char* kSummary = "Exponential(rate) on x > 0";
  static constexpr const char* kParameter = "rate";
  static constexpr const char* kParameterHelp = "rate of the true distribution";
  static constexpr const char* kStatistic = "x";
  static constexpr double kDefault = 1.0;
  static double from_exponential(double e) { return e; }
  static double statistic(double x) { return x; }
};

using ExponentialFamily = RateFamily<ExponentialTraits>;

}  // namespace ouro
