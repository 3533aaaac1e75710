#pragma once
// Exact moments of the recursively fitted Gaussian, 1-D (d = 1, families/gaussian) and d-dimensional
// (families/multivariate_gaussian), for any per-generation sample schedule. Every result is [derived] here;
// for a constant n under replace they reduce to those of Suresh et al. 2025 Sec. 5 (suresh2025.hpp).
//
// Set-up. Generation k fits M_k (the sample mean) and Sigma_k = scatter / D (D = the divisor) on its training
// set. With L L^T = Sigma_{k-1}, m samples of N(M_{k-1}, Sigma_{k-1}) have mean M_{k-1} + L Z / sqrt(m) and
// scatter L W L^T, W ~ Wishart_d(m - 1, I), Z ~ N(0, I_d), all independent (Cochran); with the mean known the
// scatter about it is Wishart_d(m, I) and M stays mu_0. So under replace (and grow, which is replace on k n_k
// samples) Sigma_k = L_{k-1} W_k L_{k-1}^T / D_k is a product of independent Wishart factors and
//   E[Sigma_k | past] = (nu/D) Sigma_{k-1},  E[Sigma_k^-1 | past] = D/(nu - d - 1) Sigma_{k-1}^-1,
//   E[log det Sigma_k | past] = log det Sigma_{k-1} + sum_{i=1}^d psi((nu - i + 1)/2) + d log(2/D),
//   (d = 1) E[S_k | past] = alpha S_{k-1}, alpha = sqrt(2/D) Gamma((nu+1)/2) / Gamma(nu/2),
// nu = m - 1 (nu = m with the mean known), and M_k - mu_0 = sum_j L_{j-1} Z_j / sqrt(m_j), where Z_j is
// independent of every Wishart factor. Hence, normalising by the truth,
//   trace       E[tr Sigma_k] / tr Sigma_0                         = prod_j nu_j/D_j
//   log_det     E[log det Sigma_k] - log det Sigma_0               = sum_j (sum_i psi((nu_j-i+1)/2) + d
//   log(2/D_j)) log_sd      log(E[S_k]/sigma_0)                    (d = 1)     = sum_j log alpha_j mean_sq
//   E||M_k - mu_0||^2 / tr Sigma_0                     = sum_j trace_{j-1} / m_j inverse     E[tr(Sigma_k^-1
//   Sigma_0)] / d                      = prod_j c_j, c_j = D_j/(nu_j - d - 1) mahalanobis E[(M_k-mu_0)^T
//   Sigma_k^-1 (M_k-mu_0)] / d          = sum_j (1/m_j) prod_{i=j..k} c_i
// (the cross terms vanish because each Z_j has mean zero and is independent of every other factor), and
// KL(N_0 || N_k) = (tr(Sigma_k^-1 Sigma_0) + (M_k-mu_0)^T Sigma_k^-1 (M_k-mu_0) - d + log det Sigma_k
// - log det Sigma_0)/2 has mean (d (inverse + mahalanobis - 1) + log_det)/2, finite when every nu_j > d + 1.
//
// Pooled regimes (first and second moments only, so they need no Gaussian law of the pool):
//   accumulate  the pool's scatter gains the batch's, (m - 1) Sigma_{k-1} in mean, plus (N_{k-1} m / N_k)
//               delta delta^T, delta = batch mean - pool mean with E[delta delta^T] = Sigma_{k-1}/m (Chan et
//               al.'s merge), so E[tr scatter_k] = E[tr scatter_{k-1}] + E[tr Sigma_{k-1}] (m - 1 +
//               N_{k-1}/N_k), Sigma_k = scatter_k / (N_k - ddof), and M_k = M_{k-1} + (m/N_k)(batch mean -
//               M_{k-1}) gives E||M_k - mu_0||^2 = E||M_{k-1} - mu_0||^2 + m E[tr Sigma_{k-1}] / N_k^2.
//   fresh_mix   s synthetic samples from model k-1 and r real ones from the truth (s + r = m): the merged
//               scatter has mean (s - 1 + r/m) Sigma_{k-1} + (r - 1 + s/m) Sigma_0 + (s r/m) E[e e^T], e =
//               M_{k-1}
//               - mu_0, and M_k - mu_0 = (s/m) e + noise of covariance (s Sigma_{k-1} + r Sigma_0)/m^2.
// With the mean known the scatter is about mu_0 (no delta term, divisor the count); with the covariance known
// only the mean moves.
#include <cstdint>

namespace ouro::theory {

// How a generation's model is fitted: dimension, variance divisor m - ddof (the count m when the mean is
// known), and which parameter, if any, stays at the truth's.
struct GaussianFit {
  int d = 1;
  int ddof = 0;
  bool mean_known = false;
  bool cov_known = false;
};

// Replace and grow: row k of the recursion above (row 0 is the default-constructed truth).
struct ReplaceMoments {
  double trace = 1;
  double log_det = 0;
  double log_sd = 0;  // d = 1 only
  double mean_sq = 0;
  double inverse = 1;  // +inf once some nu_j <= d + 1
  double mahalanobis = 0;
  // E[KL(N_0 || N_k)]; +inf where inverse is.
  double kl(int d) const;
};
// One generation fitted on m samples (m >= 2, or >= 1 with the mean known).
ReplaceMoments replace_step(const ReplaceMoments& previous, std::int64_t m, const GaussianFit& fit);
// Row k for the same m at every generation, in closed form (O(1)): products are powers and the sums
// geometric.
ReplaceMoments replace_moments(std::int64_t m, std::int64_t k, const GaussianFit& fit);

// Accumulate: the pool after generation k (row 0: an empty pool).
struct PooledMoments {
  double scatter = 0;  // E[tr scatter_k] / tr Sigma_0
  double trace = 1;    // E[tr Sigma_k] / tr Sigma_0
  double mean_sq = 0;  // E||M_k - mu_0||^2 / tr Sigma_0
  std::int64_t pool = 0;
};
PooledMoments accumulate_step(const PooledMoments& previous, std::int64_t m, const GaussianFit& fit);

// fresh_mix: generation k fits on `synthetic` samples from model k-1 and `real` from the truth.
struct MixMoments {
  double trace = 1;
  double mean_sq = 0;
};
MixMoments fresh_mix_step(const MixMoments& previous, std::int64_t synthetic, std::int64_t real,
                          const GaussianFit& fit);

}  // namespace ouro::theory
