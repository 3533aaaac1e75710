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
//   zero_exponent                [derived] Theorem 2 with per-generation sizes (and real samples mixed in):
//                                          Pr(Lambda_k = 0) = exp(-lambda0 A_k); for the Bernoulli chain
//                                          Pr(P_k != 0) >= 1 - exp(-p0 A_k), Theorem 1's lower bound
//
// Conventions: n >= 1 samples per generation (n >= 2 for the Gaussian functions), k >= 0 generations.
// k = 0 is the truth, so g(0) = +inf (the recursion read backwards: 1 - e^{-inf} = 1 = g_1) and every "alive"
// probability is then 1 for a non-zero start. Probabilities are clamped to [0, 1]. Invalid arguments throw
// std::invalid_argument.
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>
#include <utility>

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
// p0 checked once and kept as runs of equal consecutive probabilities, for a caller that asks for the bounds of
// every generation (a family's theory column): each call then costs one term per run, not a pass over p0.
struct ProbabilityRuns {
  std::vector<double> value, length;
};
ProbabilityRuns probability_runs(std::span<const double> p0);
Bounds discrete_alive(const ProbabilityRuns& p0, std::int64_t n, std::int64_t k);
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

// [derived] Generation j fits on s_j draws from model j-1 and r_j from the truth (n_j = s_j + r_j >= 1;
// generation 1 draws from the truth, model 0): s_j = n_j under replace, j n_j under grow, fresh_mix's split
// otherwise. Poisson: n_j Lambda_j | past ~ Poisson(s_j Lambda_{j-1} + r_j lambda0), so
//   E[exp(-a Lambda_j) | Lambda_{j-1}] = exp(-(s_j Lambda_{j-1} + r_j lambda0) u), u = 1 - exp(-a/n_j),
// and Pr(Lambda_k = 0 | Lambda_{k-1}) is the case a = inf (u = 1). Walking j = k-1 down to 1 maps the
// coefficient a of Lambda_j to s_j u on Lambda_{j-1} and adds r_j u to that of lambda0, so Pr(Lambda_k = 0) =
// exp(-lambda0 A_k) exactly, A_k = (coefficient reached at Lambda_0) + (sum of the real terms). With s_j = n
// and r_j = 0 the map is a -> n g(a/n), and A_k = n g_k: Theorem 2. Bernoulli: (1 - p u)^s <= exp(-s p u)
// makes each step an upper bound on E[exp(-a P_j)], so Pr(P_k != 0) >= 1 - exp(-p0 A_k): Theorem 1's lower
// bound (1 - exp(-n p0 g_k)) with per-generation sizes. Cost O(k): the maps compose from generation k
// backwards, so no prefix carries over from k to k+1 (families leave generations past
// kZeroExponentMaxGeneration without this value). `batch(j)` returns {s_j, r_j}.
inline constexpr std::int64_t kZeroExponentMaxGeneration = 10000;
template <class Batch>
double zero_exponent(std::int64_t k, Batch&& batch) {
  const std::pair<std::int64_t, std::int64_t> last = batch(k);
  double a = static_cast<double>(last.first), c = static_cast<double>(last.second);
  for (std::int64_t j = k - 1; j >= 1; --j) {
    const std::pair<std::int64_t, std::int64_t> b = batch(j);
    const double u = -std::expm1(-a / static_cast<double>(b.first + b.second));
    c += static_cast<double>(b.second) * u;
    a = static_cast<double>(b.first) * u;
  }
  return a + c;
}

}  // namespace ouro::theory
