#include "ouroboros/families/kernel_ridge/kernel_theory.hpp"

#include <Eigen/Eigenvalues>

namespace ouro {

const KernelRidgeTheory::Spectrum& KernelRidgeTheory::spectrum() const {
  std::call_once(once_, [this] {
    const KernelData& d = *data_;
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(d.gram);
    if (eig.info() != Eigen::Success) return;
    Spectrum& s = spectrum_;
    s.mu = eig.eigenvalues().array();
    s.w.noalias() = eig.eigenvectors().transpose() * d.pool_onehot;
    s.w2 = s.w.rowwise().squaredNorm().array();
    s.b.noalias() = d.cross * eig.eigenvectors();
    s.b2 = s.b.colwise().squaredNorm().transpose().array();
    s.test_onehot = Eigen::MatrixXd::Zero(d.cross.rows(), kKernelRidgeClasses);
    for (std::size_t i = 0; i < d.test_class.size(); ++i) s.test_onehot(static_cast<Eigen::Index>(i), d.test_class[i]) = 1;
    s.ok = true;
  });
  return spectrum_;
}

std::optional<double> KernelRidgeTheory::mean(Quantity quantity, RegimeKind regime, std::span<const double> ridge,
                                              double sigma) const {
  const Spectrum& sp = spectrum();
  if (!sp.ok || ridge.empty()) return std::nullopt;
  // The recursion of the header: c_k and v_k per eigen-direction.
  Eigen::ArrayXd c = Eigen::ArrayXd::Ones(sp.mu.size()), v = Eigen::ArrayXd::Zero(sp.mu.size()), r;
  const double var = sigma * sigma;
  for (std::size_t k = 2; k <= ridge.size(); ++k) {
    const double kk = static_cast<double>(k);
    const Eigen::ArrayXd previous = sp.mu / (sp.mu + ridge[k - 2]);  // the smoother of model k-1
    double noise = var;
    if (regime == RegimeKind::kAccumulate) {
      r = (kk - 1 + previous) / kk;
      noise = var / (kk * kk);
    } else {
      r = previous;
      if (regime == RegimeKind::kGrow) noise = var / kk;
    }
    c *= r;
    v = r.square() * v + noise;
  }
  const Eigen::ArrayXd d = 1.0 / (sp.mu + ridge.back());
  constexpr double kScores = kKernelRidgeClasses;
  if (quantity == Quantity::kTrainDrift) {
    const Eigen::ArrayXd s = sp.mu * d;
    return ((s * c - 1).square() * sp.w2 + kScores * s.square() * v).sum() / static_cast<double>(sp.mu.size());
  }
  const Eigen::MatrixXd prediction = sp.b * ((c * d).matrix().asDiagonal() * sp.w);
  const double bias = (prediction - sp.test_onehot).squaredNorm();
  return (bias + kScores * (sp.b2 * d.square() * v).sum()) / static_cast<double>(sp.b.rows());
}

}  // namespace ouro
