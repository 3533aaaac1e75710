#pragma once
// Closed forms from Barzilai, Shamir, "When Models Don't Collapse: On the Consistency of Iterative MLE",
// NeurIPS 2025 (REFERENCE.md section 2). Accumulate with n new samples per round: theta^(0) = theta*, each
// round samples n points from the current iterate, adds them to the pool and refits the MLE on the pool.
//
//   accumulated_mean_variance        [derived] Gaussian mean, known sigma: Var(mu^(k) - mu*) =
//                                              (sigma^2/n) sum_{t=1}^k 1/t^2
//   accumulated_variance_ratio_limit [paper]   pi^2/6, the limit of sum 1/t^2 bounding the martingale
//                                              variance in Theorem 4.1 (and the k -> inf ratio above)
#include <cstdint>

namespace ouro::theory {

// n >= 1, k >= 0 (k = 0: mu^(0) = mu*, variance 0). Throws std::invalid_argument otherwise.
double accumulated_mean_variance(double sigma_sq, std::int64_t n, std::int64_t k);
double accumulated_variance_ratio_limit();

}  // namespace ouro::theory
