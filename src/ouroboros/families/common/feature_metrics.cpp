#include "ouroboros/families/common/feature_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace ouro {

namespace {

// Blocks of rows for pairwise distances: a block x all columns of squared distances stays a few MB.
constexpr Eigen::Index kBlock = 256;

// Squared distances between rows [r0, r0 + rows) of `a` and every row of `b`, from |a|^2 + |b|^2 - 2 a.b (BLAS),
// clamped at 0 against rounding.
Eigen::MatrixXd squared_distances(const Eigen::MatrixXd& a, Eigen::Index r0, Eigen::Index rows,
                                  const Eigen::MatrixXd& b, const Eigen::VectorXd& b_norms) {
  const auto block = a.middleRows(r0, rows);
  Eigen::MatrixXd d = -2.0 * block * b.transpose();
  d.colwise() += block.rowwise().squaredNorm();
  d.rowwise() += b_norms.transpose();
  return d.cwiseMax(0.0);
}

// Each row's squared distance to its k-th nearest other row of the same set.
Eigen::VectorXd kth_neighbour_radii(const Eigen::MatrixXd& x, int k) {
  const Eigen::VectorXd norms = x.rowwise().squaredNorm();
  Eigen::VectorXd radii(x.rows());
  std::vector<double> row(static_cast<std::size_t>(x.rows()));
  for (Eigen::Index r0 = 0; r0 < x.rows(); r0 += kBlock) {
    const Eigen::Index rows = std::min(kBlock, x.rows() - r0);
    const Eigen::MatrixXd d = squared_distances(x, r0, rows, x, norms);
    for (Eigen::Index i = 0; i < rows; ++i) {
      for (Eigen::Index j = 0; j < x.rows(); ++j) row[static_cast<std::size_t>(j)] = d(i, j);
      row[static_cast<std::size_t>(r0 + i)] = -1;  // itself: first in order, so element k is the k-th other
      std::nth_element(row.begin(), row.begin() + k, row.end());
      radii(r0 + i) = row[static_cast<std::size_t>(k)];
    }
  }
  return radii;
}

// The fraction of rows of `query` within some ball (centre a row of `centres`, squared radius `radii`).
double covered(const Eigen::MatrixXd& query, const Eigen::MatrixXd& centres, const Eigen::VectorXd& radii) {
  const Eigen::VectorXd norms = centres.rowwise().squaredNorm();
  Eigen::Index inside = 0;
  for (Eigen::Index r0 = 0; r0 < query.rows(); r0 += kBlock) {
    const Eigen::Index rows = std::min(kBlock, query.rows() - r0);
    const Eigen::MatrixXd d = squared_distances(query, r0, rows, centres, norms);
    for (Eigen::Index i = 0; i < rows; ++i)
      inside += ((d.row(i).transpose() - radii).array() <= 0).any() ? 1 : 0;
  }
  return static_cast<double>(inside) / static_cast<double>(query.rows());
}

// The symmetric positive semi-definite square root, eigenvalues below 0 (rounding) set to 0.
Eigen::MatrixXd psd_sqrt(const Eigen::MatrixXd& s) {
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(0.5 * (s + s.transpose()));
  const Eigen::VectorXd roots = eig.eigenvalues().cwiseMax(0.0).cwiseSqrt();
  return eig.eigenvectors() * roots.asDiagonal() * eig.eigenvectors().transpose();
}

}  // namespace

FeatureMoments feature_moments(const Eigen::MatrixXd& x) {
  if (x.rows() < 2) throw std::invalid_argument("feature_moments: needs at least 2 samples");
  FeatureMoments m;
  m.mean = x.colwise().mean().transpose();
  const Eigen::MatrixXd centred = x.rowwise() - m.mean.transpose();
  m.cov = centred.transpose() * centred / static_cast<double>(x.rows() - 1);
  return m;
}

double frechet_distance(const FeatureMoments& a, const FeatureMoments& b) {
  if (a.mean.size() != b.mean.size()) throw std::invalid_argument("frechet_distance: feature dimensions differ");
  const Eigen::MatrixXd root_a = psd_sqrt(a.cov);
  const Eigen::MatrixXd inner = root_a * b.cov * root_a;
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(0.5 * (inner + inner.transpose()), Eigen::EigenvaluesOnly);
  const double trace_root = eig.eigenvalues().cwiseMax(0.0).cwiseSqrt().sum();
  const double fd = (a.mean - b.mean).squaredNorm() + a.cov.trace() + b.cov.trace() - 2 * trace_root;
  return std::max(fd, 0.0);  // rounding can leave -1e-12 for equal moments
}

double frechet_distance(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return frechet_distance(feature_moments(a), feature_moments(b));
}

PrecisionRecall precision_recall(const Eigen::MatrixXd& real, const Eigen::MatrixXd& generated, int k) {
  if (k < 1) throw std::invalid_argument("precision_recall: k must be >= 1");
  if (real.rows() <= k || generated.rows() <= k)
    throw std::invalid_argument("precision_recall: each set needs more than k samples");
  if (real.cols() != generated.cols()) throw std::invalid_argument("precision_recall: feature dimensions differ");
  PrecisionRecall pr;
  pr.precision = covered(generated, real, kth_neighbour_radii(real, k));
  pr.recall = covered(real, generated, kth_neighbour_radii(generated, k));
  return pr;
}

double mean_pairwise_distance(const Eigen::MatrixXd& x) {
  if (x.rows() < 2) return 0;
  const Eigen::VectorXd norms = x.rowwise().squaredNorm();
  double sum = 0;
  for (Eigen::Index r0 = 0; r0 < x.rows(); r0 += kBlock) {
    const Eigen::Index rows = std::min(kBlock, x.rows() - r0);
    const Eigen::MatrixXd d = squared_distances(x, r0, rows, x, norms);
    for (Eigen::Index i = 0; i < rows; ++i)
      for (Eigen::Index j = r0 + i + 1; j < x.rows(); ++j) sum += std::sqrt(d(i, j));
  }
  const double n = static_cast<double>(x.rows());
  return sum / (n * (n - 1) / 2);
}

}  // namespace ouro
