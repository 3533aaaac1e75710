#pragma once
// The Gaussian MLE found numerically (estimator = optimized), for comparing exact and optimised MLE as in
// Barzilai & Shamir's Appendix G. NLopt's Nelder-Mead (derivative-free) minimises the negative
// log-likelihood n u + (m2 + n (mean - mu)^2) / (2 e^{2u}) over (mu, u = log sigma), started at (0, 0) with
// steps (1, 1), stopping at a relative tolerance of 1e-10 in x or 1e-14 in f, or after 10000 evaluations.
#include <cstdint>

namespace ouro {

struct GaussianFit {
  double mean = 0, sd = 1;
  bool converged = true;
};

// n samples with the given mean and sum of squared deviations m2.
GaussianFit optimize_gaussian_mle(std::int64_t n, double mean, double m2);

}  // namespace ouro
