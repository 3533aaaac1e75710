#pragma once
// Closed forms from Gerstgrasser et al., "Is Model Collapse Inevitable? Breaking the Curse of Recursion by
// Accumulating Real and Synthetic Data", COLM 2024 (Gerstgrasser et al. 2024): linear regression with a fixed
// design X (T x d, rows N(0, Sigma), T >= d + 2), OLS, labels X w_{k-1} + N(0, sigma^2 I) every iteration and
// w_1 fit on real labels. Test error E||w_n - w*||^2_Sigma after n fits:
//
//   replace    [paper]   sigma^2 d n / (T - d - 1)
//   accumulate [paper]   sigma^2 d / (T - d - 1) * sum_{i=1}^n 1/i^2   (<= pi^2/6 * sigma^2 d / (T - d - 1))
//   grow       [derived] sigma^2 d / (T - d - 1) * H_n                (the k-th set is X tiled k times)
//
// Each is ols_fit_variance() times a multiplier m_n. E[(X^T X)^{-1}] = Sigma^{-1} / (T - d - 1) (inverse
// Wishart mean), so the forms hold for any Sigma, not only the isotropic one of the paper; and the error
// w_n - w* is a zero-mean vector with covariance m_n sigma^2 Sigma^{-1} / (T - d - 1) in all three regimes,
// which dohmatob2024.hpp uses for the downstream learner.
#include <cstdint>

namespace ouro::theory {

// sigma^2 d / (T - d - 1): E||w_1 - w*||^2_Sigma of one OLS fit on T rows. Throws unless T >= d + 2.
double ols_fit_variance(double sigma_sq, std::int64_t d, std::int64_t T);

// m_n for each regime (n >= 0; m_0 = 0).
double replace_multiplier(std::int64_t n);     // n
double accumulate_multiplier(std::int64_t n);  // sum_{i=1}^n 1/i^2, as pi^2/6 - psi'(n + 1)
double grow_multiplier(std::int64_t n);        // H_n, as psi(n + 1) + Euler's gamma

}  // namespace ouro::theory
