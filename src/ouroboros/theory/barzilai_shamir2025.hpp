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
// Appendix G's exponential and power families (families/common/rate_family.hpp): theta = n/T with T a sum of
// n Exponential(theta) variables. Whatever the regime, one generation multiplies theta by a factor
// independent of the past, so theta_k = theta_0 prod_j X_j exactly and every moment factors:
//   rate_factor                 [derived] E[X] - 1, E[X^2] - 1 and E[log X] for X = (a + m)/(a + G),
//                                         G ~ Gamma(m, 1): m new samples joining a pool of a earlier ones
//                                         (a = 0: a fit on the m new samples alone, replace and grow)
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

// X = (a + m)/(a + G), G ~ Gamma(m, 1), a >= 0, m > 0. Under replace theta_k = theta_{k-1} n_k / G_k (a = 0,
// m = n_k); under grow m = k n_k; under accumulate the pooled statistic gives 1/theta_k = (1/theta_{k-1})
// (N_{k-1} + G_k)/N_k, N_k = n_1 + ... + n_k, so a = N_{k-1}, m = n_k.
struct RateFactor {
  double mean_minus_one;    // E[X] - 1 (+inf when m <= 1 and a = 0)
  double second_minus_one;  // E[X^2] - 1 (+inf when m <= 2 and a = 0)
  double mean_log;          // E[log X]
};
// a = 0: the closed forms 1/(m-1), (3m-2)/((m-1)(m-2)), log m - psi(m). a > 0: rate_factor_quadrature.
RateFactor rate_factor(double a, double m);
// The one-dimensional integrals behind rate_factor for any a >= 0 (at a = 0 they need m > 2), exposed so
// tests can check them against the closed forms: with phi(t) = -m log1pmx(t/(a+m)) >= 0 (log1pmx(x) =
// log1p(x) - x),
//   E[X] - 1 = int_0^inf e^-t expm1(phi) dt,  E[X^2] - 1 = int_0^inf t e^-t expm1(phi) dt,
//   E[log X] = int_0^inf e^-t expm1(phi) / t dt,
// from E[e^{-s(a+G)}] = e^{-sa}(1+s)^{-m}, 1/y^p = int s^(p-1) e^{-sy} ds / Gamma(p) and Frullani's
// log y = int (e^-s - e^-sy)/s ds, after s = t/(a+m). Each integrand is non-negative, so Boost's exp_sinh
// stops on a relative error.
RateFactor rate_factor_quadrature(double a, double m);

// n >= 1, height >= 2, k >= 1. Throw std::invalid_argument otherwise.
double staircase_round1_tv(std::int64_t n);
double staircase_no_switch_bound(std::int64_t n, std::int64_t height, std::int64_t k);
double staircase_tv_height2(std::int64_t n, std::int64_t k);

}  // namespace ouro::theory
