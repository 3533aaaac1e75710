#pragma once
// Closed-form results of Suresh, Thangaraj, Khandavally, "Rate of Model Collapse in Recursive Training",
// AISTATS 2025 (Suresh et al. 2025). Pure replace with n samples per generation; generation 0 is the
// truth. Tags: [paper] stated by the paper (or quoted by it from Seddik et al. / Bertrand et al.);
// [derived] follows exactly from the set-up, derivation in the .cpp beside the function.
//
//   g                            [paper]   g_1 = 1, g_{k+1} = 1 - exp(-g_k)
//   bernoulli_nonzero            [paper]   Theorem 1: bounds on Pr(P_k != 0)
//   bernoulli_interior           [derived] two-sided Theorem 1: bounds on Pr(P_k not in {0,1})
//   seddik_interior              [paper]   Seddik et al. bounds on Pr(P_k not in {0,1}), as quoted
//   bernoulli_pq_mean            [paper]   E[P_k(1 - P_k)] = p0(1 - p0)(1 - 1/n)^k, exact
//   poisson_nonzero              [paper]   Theorem 2: Pr(Lambda_k != 0) = 1 - exp(-n lambda0 g_k), exact
//   discrete_alive               [paper]   Corollary 1: bounds on E[#symbols alive after k steps]
//   symbol_survival              [paper]   1 - exp(-c g_k), approximate survival of a symbol with count c
//   gaussian_sigma_tail_thm3     [paper]   Theorem 3: Pr(Sigma_k > eps) <= (sigma0/eps) exp(-k/(4n-1))
//   gmm_sigma_tail_thm4          [paper]   Theorem 4 (symmetric GMM, approximate joint ML): (sigma0/eps) e^{-k/(4n)}
//   bertrand_alpha               [paper]   alpha(n) = E[sqrt(chi2_{n-1})] / sqrt(n-1)
//   gaussian_sigma_tail_bertrand [paper]   Bertrand et al.: Pr(Sigma_k > eps) <= alpha(n)^k sigma0/eps
//   moment_m                     [paper]   m_s = E[(chi2_{n-1}/(n-1))^{s/2}]
//   gaussian_sigma_tail_moment   [paper]   Markov bound of order s: (sigma0/eps)^s m_s^k
//   gaussian_variance_mean       [derived] E[Sigma_k^2] for ddof 1 (unbiased) and ddof 0 (MLE)
//   gaussian_log_variance_mean   [derived] E[log Sigma_k^2]
//   gaussian_mean_sq_error_replace [derived] E[(M_k - mu0)^2]
//
// Conventions: n >= 1 samples per generation (n >= 2 for the Gaussian functions), k >= 0 generations.
// k = 0 is the truth, so g(0) = +inf (the recursion read backwards: 1 - e^{-inf} = 1 = g_1) and every "alive"
// probability is then 1 for a non-zero start. Probabilities are clamped to [0, 1]. Invalid arguments throw
// std::invalid_argument.
#include <cstdint>
#include <span>

namespace ouro::theory {

struct Bounds {
  double lo;
  double hi;
};

// g_k; O(1) amortised: the sequence is cached (thread-safe) up to the largest k asked for.
double g(std::int64_t k);

Bounds bernoulli_nonzero(double p0, std::int64_t n, std::int64_t k);
Bounds bernoulli_interior(double p0, std::int64_t n, std::int64_t k);
Bounds seddik_interior(double p0, std::int64_t n, std::int64_t k);
double bernoulli_pq_mean(double p0, std::int64_t n, std::int64_t k);

double poisson_nonzero(double lambda0, std::int64_t n, std::int64_t k);

// p0 need not be normalised; zero entries are skipped (they are never alive).
Bounds discrete_alive(std::span<const double> p0, std::int64_t n, std::int64_t k);
double symbol_survival(double count, std::int64_t k);

double gaussian_sigma_tail_thm3(double sigma0, double eps, std::int64_t n, std::int64_t k);
// Theorem 4 [paper]: symmetric two-component GMM with the approximate joint ML estimator,
// Pr(Sigma_k > eps) <= (sigma0/eps) exp(-k/(4n)), min 1.
double gmm_sigma_tail_thm4(double sigma0, double eps, std::int64_t n, std::int64_t k);
double bertrand_alpha(std::int64_t n);
double gaussian_sigma_tail_bertrand(double sigma0, double eps, std::int64_t n, std::int64_t k);
double moment_m(double s, std::int64_t n);
double gaussian_sigma_tail_moment(double sigma0, double eps, std::int64_t n, std::int64_t k, double s);

// ddof = 1: Sigma_k^2 is the unbiased sample variance (the authors' code); ddof = 0: the MLE.
double gaussian_variance_mean(double sigma0_sq, std::int64_t n, std::int64_t k, int ddof);
double gaussian_log_variance_mean(double sigma0_sq, std::int64_t n, std::int64_t k, int ddof);
double gaussian_mean_sq_error_replace(double sigma0_sq, std::int64_t n, std::int64_t k, int ddof);

}  // namespace ouro::theory
