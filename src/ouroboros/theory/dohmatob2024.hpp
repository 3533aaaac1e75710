#pragma once
// Closed forms and deterministic equivalents from Dohmatob, Feng, Kempe, "Model Collapse Demystified: The
// Case of Regression", NeurIPS 2024 (Dohmatob et al. 2024). Features x ~ N(0, Sigma) with Sigma diagonal
// (eigenvalues `eig`), truth w0. A downstream ridge learner is trained on T samples labelled by a teacher w
// with noise sigma^2: w_pred = (X^T X + lambda T I)^{-1} X^T y (the lambda T normalisation is [recon]), and
// scored by ||w_pred - w0||^2_Sigma.
//
// Exact at lambda = 0 (T >= d + 2) [derived]: E = ||w - w0||^2_Sigma + sigma^2 d / (T - d - 1).
// Deterministic equivalent for lambda > 0 [paper form; first- and second-order equivalents]: with kappa
// solving kappa - lambda = kappa df1(kappa) / T and df_m(kappa) = tr Sigma^m (Sigma + kappa)^{-m},
//   E[A] ~ Sigma (Sigma + kappa)^{-1},  A = (X^T X + lambda T)^{-1} X^T X
//   E[(A - I)^T Sigma (A - I)] ~ kappa^2 Sigma (Sigma + kappa)^{-2} / (1 - df2/T)
//   sigma^2 E tr(Sigma (X^T X + lambda T)^{-1} X^T X (X^T X + lambda T)^{-1}) / T ~ sigma^2 df2 / (T - df2)
// so, writing delta = w - w0 and w_pred - w0 = (A - I) w + delta + noise,
//   E ~ kappa^2 w^T Sigma (Sigma + kappa)^{-2} w / (1 - df2/T) - 2 kappa w^T (Sigma + kappa)^{-1} Sigma delta
//       + ||delta||^2_Sigma + sigma^2 df2 / (T - df2).
// At w = w0 this is E_clean of the paper. The equivalents become exact as d, T grow proportionally; at
// finite sizes they are approximations.
//
// The chain [paper: "linear in n"]: generators fit by OLS on T0 >= d + 2 samples with noise sigma0^2 leave
// w_n - w0 zero-mean with covariance m_n sigma0^2 Sigma^{-1} / (T0 - d - 1) (m_n = n under replace; see
// gerstgrasser2024.hpp for accumulate and grow with a fixed design), so E over w_n of the quantity above is
//   E_clean + m_n sigma0^2 rho,  rho = E tr(Sigma^{-1} A^T Sigma A) / (T0 - d - 1),
// rho = d / (T0 - d - 1) exactly at lambda = 0 and, by the equivalents above,
//   rho ~ [kappa^2 tr (Sigma + kappa)^{-2} / (1 - df2/T) - 2 kappa tr (Sigma + kappa)^{-1} + d] / (T0 - d -
//   1).
#include <cstdint>
#include <span>

namespace ouro::theory {

// tr Sigma^m (Sigma + kappa)^{-m}, m = 1 or 2.
double ridge_df(std::span<const double> eig, double kappa, int m);
// The effective regularisation kappa >= lambda (Boost.Math TOMS 748 root finder). lambda = 0 gives 0 when
// T >= d (no implicit regularisation above the interpolation threshold).
double ridge_kappa(std::span<const double> eig, double lambda, double T);

// A downstream ridge learner (lambda, T) with its kappa and df2 solved once.
struct RidgeEquivalent {
  double lambda = 0, T = 0, kappa = 0, df2 = 0;
};
RidgeEquivalent ridge_equivalent(std::span<const double> eig, double lambda, double T);

// E||w_pred - w0||^2_Sigma for a downstream learner trained on labels of teacher w with noise sigma^2 (see
// above): exact when lambda = 0 (needs T >= d + 2), deterministic equivalent when lambda > 0.
double downstream_error(std::span<const double> eig, std::span<const double> w0, std::span<const double> w,
                        double sigma_sq, const RidgeEquivalent& learner);
// rho of the chain: exact d / (T0 - d - 1) at lambda = 0, deterministic equivalent when lambda > 0.
// Needs T0 >= d + 2 (and T >= d + 2 at lambda = 0).
double chain_rho(std::span<const double> eig, const RidgeEquivalent& learner, std::int64_t T0);

// Over-parameterised generators [derived], Sigma = I, T0 <= d - 2, minimum-norm interpolation on fresh
// designs: E||w_n - w0||^2 = ||w0||^2 (1 - q^n) + sigma0^2 T0 / (d - T0 - 1) (1 - q^n) / (1 - q),  q = T0 /
// d. The first part is the squared bias of the noiseless chain (projections onto random T0-dimensional row
// spaces), the second its variance.
double overparameterised_bias(double w0_sq_norm, std::int64_t T0, std::int64_t d, std::int64_t n);
double overparameterised_variance(double sigma0_sq, std::int64_t T0, std::int64_t d, std::int64_t n);

// Power-law scaling [recon], Sigma eigenvalues j^{-beta}, source lambda_j w0_j^2 = j^{-(1 + 2 beta r)},
// ridge lambda = T^{-ell}, T0 = T and a fixed number of generations: E ~ T^{-alpha} with
//   bias ~ lambda^{2 rbar} -> exponent 2 ell rbar,   rbar = min(r, 1) (ridge saturates at r = 1)
//   variance and collapse ~ (sigma^2 + n sigma0^2) lambda^{-1/beta} / T -> exponent 1 - ell / beta
//   alpha = min(2 ell rbar, 1 - ell / beta), maximised at ell_crit = beta / (2 beta rbar + 1).
double powerlaw_bias_exponent(double r, double ell);
double powerlaw_variance_exponent(double beta, double ell);
double powerlaw_error_exponent(double beta, double r, double ell);
double powerlaw_critical_ell(double beta, double r);

}  // namespace ouro::theory
