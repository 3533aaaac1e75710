#include "ouroboros/theory/mixing.hpp"

#include <cmath>

namespace ouro::theory {

double mixed_mean_mse(double sigma_sq, double n1, std::span<const MeanMixStep> steps) {
  const double real_var = sigma_sq / n1;
  double v = real_var, c = real_var;
  for (const auto& s : steps) {
    v = s.c_prev * s.c_prev * v + 2 * s.c_prev * s.c_real * c + s.c_real * s.c_real * real_var + s.noise;
    c = s.c_prev * c + s.c_real * real_var;
  }
  return v;
}

double weighted_mix_stationary(double sigma_sq, double alpha, double real, double synthetic) {
  const double keep = 1 - alpha;
  return (alpha * alpha / real + keep * keep / synthetic) * sigma_sq / (1 - keep * keep);
}

double golden_weight() { return (std::sqrt(5.0) - 1) / 2; }

}  // namespace ouro::theory
