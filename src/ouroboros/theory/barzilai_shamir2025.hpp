#pragma once
// Closed forms from Barzilai, Shamir, "When Models Don't Collapse: On the Consistency of Iterative MLE",
// NeurIPS 2025. Accumulate with n new samples per round: theta^(0) = theta*, each
// round samples n points from the current iterate, adds them to the pool and refits the MLE on the pool.
//
//   accumulated_mean_variance        [derived] Gaussian mean, known sigma: Var(mu^(k) - mu*) =
//                                              (sigma^2/n) sum_{t=1}^k 1/t^2
//   accumulated_variance_ratio_limit [paper]   pi^2/6, the limit of sum 1/t^2 bounding the martingale
//                                              variance in Theorem 4.1 (and the k -> inf ratio above)
//
// The Theorem 5.2 staircase as reconstructed in families/bs_staircase (truth U[0,1]); alpha_0 =
// min(1/4, (1 - M)/2) is the round-1 fit, M the largest of n uniforms, and every expectation below is over M:
//   staircase_round1_tv         [derived] E[alpha_0], the mean TV after round 1 (every regime)
//   staircase_no_switch_bound   [derived] E[(1 - alpha_0 4^(2-height))^(n (k-1))]: a lower bound on
//                                         Pr(no switch by round k) under accumulate, exact for height 2
//   staircase_tv_height2        [derived] E[tv_k] under accumulate for height 2:
//                                         E[alpha_0 (1 - alpha_0)^(n(k-1))] + 3/4 (1 - E[(1 - alpha_0)^(n(k-1))])
#include <cstdint>

namespace ouro::theory {

// n >= 1, k >= 0 (k = 0: mu^(0) = mu*, variance 0). Throws std::invalid_argument otherwise.
double accumulated_mean_variance(double sigma_sq, std::int64_t n, std::int64_t k);
double accumulated_variance_ratio_limit();

// n >= 1, height >= 2, k >= 1. Throw std::invalid_argument otherwise.
double staircase_round1_tv(std::int64_t n);
double staircase_no_switch_bound(std::int64_t n, std::int64_t height, std::int64_t k);
double staircase_tv_height2(std::int64_t n, std::int64_t k);

}  // namespace ouro::theory
