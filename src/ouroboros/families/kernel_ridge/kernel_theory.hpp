#pragma once
// The exact mean of kernel_ridge's test_mse and train_drift over the label noise [derived], on the fixed
// design with n = P samples every generation: each batch labels every pool input once, so under grow and
// accumulate generation k holds every input exactly k times.
//
// Notation. K = U diag(mu) U^T is the pool Gram (P x P), Y the P x 10 one-hot real labels, Y_test the Q x 10
// one-hot test labels, W = U^T Y, B = K_test,pool U (Q x P). A training set with every input c times
// (T = cP pairs) and per-input mean labels m gives (K + lambda(T) T / c I) beta = m (kernel_ridge.hpp), i.e.
// (K + rho I) beta = m with rho = lambda(T) P: pool scores F = S m with S = U diag(s) U^T,
// s = mu / (mu + rho) (the lambda T normalisation makes rho independent of c), and test scores
// B diag(1 / (mu + rho)) U^T m. Every fit shares U, so the loop is diagonal in U: each eigen-direction l and
// score column evolves alone, and iid N(0, sigma^2) label noise stays iid N(0, sigma^2) in that basis.
//
// Mean labels m_k of generation k, with m_1 = Y (the real labels carry no noise), S_j the smoother of model j
// (ridge rho_j, from T_j = P under replace, jP under grow and accumulate) and Z_k iid N(0, 1):
//   replace    : m_k = S_{k-1} m_{k-1} + sigma Z_k
//   grow       : m_k = S_{k-1} m_{k-1} + (sigma / sqrt(k)) Z_k            (the mean of k noisy copies)
//   accumulate : m_k = ((k-1) m_{k-1} + S_{k-1} m_{k-1} + sigma Z_k) / k  (the mean of Y, F_1 + noise, ...)
// So in direction l, U^T m_k = c_k W_l + N(0, v_k) per column, with c_1 = 1, v_1 = 0 and
//   c_k = r_k c_{k-1},  v_k = r_k^2 v_{k-1} + sigma_k^2,  where, with t = s_{k-1,l},
//   r_k = t (replace, grow) or (k - 1 + t) / k (accumulate),
//   sigma_k^2 = sigma^2 (replace), sigma^2 / k (grow), sigma^2 / k^2 (accumulate).
// With s = s_{k,l}, d = 1 / (mu_l + rho_k) of model k and |W_l|^2, |B_l|^2 the row / column norms:
//   E[train_drift_k] = (1/P) sum_l [ (s c_k - 1)^2 |W_l|^2 + 10 s^2 v_k ]
//   E[test_mse_k]    = (1/Q) [ |B diag(c_k d) W - Y_test|_F^2 + 10 sum_l |B_l|^2 d^2 v_k ]
// e.g. replace with a fixed lambda: E[train_drift_k] = (1/P) [ |(S^k - I) Y|_F^2 + 10 sigma^2
// sum_{i=1}^{k-1} tr S^(2i) ]. The eigendecomposition costs O(P^3) once per simulator, at the first query;
// a query then costs O(k P + 10 Q P).
#include <Eigen/Dense>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>

#include "ouroboros/families/kernel_ridge/kernel_data.hpp"
#include "ouroboros/regimes/regime.hpp"

namespace ouro {

class KernelRidgeTheory {
 public:
  enum class Quantity { kTestMse, kTrainDrift };

  explicit KernelRidgeTheory(std::shared_ptr<const KernelData> data) : data_(std::move(data)) {}

  // E[quantity] at generation k = ridge.size() under replace, grow or accumulate, where ridge[i-1] = rho_i
  // = lambda(T_i) P is model i's per-input ridge and sigma the label noise. nullopt if the eigensolver failed.
  // Thread-safe: the first call computes the eigendecomposition, concurrent callers wait for it.
  std::optional<double> mean(Quantity quantity, RegimeKind regime, std::span<const double> ridge, double sigma) const;

 private:
  struct Spectrum {
    bool ok = false;
    Eigen::ArrayXd mu;          // eigenvalues of K
    Eigen::MatrixXd w;          // U^T Y (P x 10)
    Eigen::ArrayXd w2;          // |W_l|^2
    Eigen::MatrixXd b;          // K_test,pool U (Q x P)
    Eigen::ArrayXd b2;          // |B_l|^2
    Eigen::MatrixXd test_onehot;  // Q x 10
  };
  const Spectrum& spectrum() const;

  std::shared_ptr<const KernelData> data_;
  mutable std::once_flag once_;
  mutable Spectrum spectrum_;
};

}  // namespace ouro
