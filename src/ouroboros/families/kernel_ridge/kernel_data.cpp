#include "ouroboros/families/kernel_ridge/kernel_data.hpp"

#include <algorithm>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <numeric>

#include "ouroboros/core/rng.hpp"
#include "ouroboros/families/common/real_draws.hpp"

namespace ouro {

namespace {

Eigen::MatrixXd scaled_rows(const LabelledImages& split, std::size_t pixels, const std::vector<std::size_t>& rows) {
  Eigen::MatrixXd x(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(pixels));
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t p = 0; p < pixels; ++p)
      x(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(p)) = split.pixels[rows[r] * pixels + p] / 255.0;
  return x;
}

// |a_i - b_j|^2 by |a|^2 + |b|^2 - 2 a.b (one matrix product), clamped at 0 against rounding.
Eigen::MatrixXd squared_distances(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  const Eigen::VectorXd na = a.rowwise().squaredNorm(), nb = b.rowwise().squaredNorm();
  Eigen::MatrixXd d = -2.0 * a * b.transpose();
  d.colwise() += na;
  d.rowwise() += nb.transpose();
  return d.cwiseMax(0.0);
}

double median_pairwise_distance(const Eigen::MatrixXd& d2) {
  std::vector<double> v;
  for (Eigen::Index j = 1; j < d2.cols(); ++j)
    for (Eigen::Index i = 0; i < j; ++i) v.push_back(d2(i, j));
  if (v.empty()) return 0;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  double m = *mid;
  if (v.size() % 2 == 0) m = 0.5 * (m + *std::max_element(v.begin(), mid));
  return std::sqrt(m);
}

}  // namespace

KernelData build_kernel_data(const FashionMnist& data, std::size_t train_size, std::size_t test_size,
                             std::uint64_t subset_seed, double bandwidth) {
  const std::size_t pixels = std::size_t{data.rows} * data.cols;
  KernelData out;
  out.pool_source = choose_subset(data.train.count, train_size, Rng(subset_seed, 0, 0, Stream::kTruth));
  const std::vector<std::size_t> test_rows = choose_subset(data.test.count, test_size, Rng(subset_seed, 0, 1, Stream::kTruth));
  const Eigen::MatrixXd x = scaled_rows(data.train, pixels, out.pool_source);
  const Eigen::MatrixXd t = scaled_rows(data.test, pixels, test_rows);

  out.pool_onehot = Eigen::MatrixXd::Zero(x.rows(), kKernelRidgeClasses);
  for (std::size_t i = 0; i < train_size; ++i)
    out.pool_onehot(static_cast<Eigen::Index>(i), data.train.labels[out.pool_source[i]]) = 1.0;
  for (const std::size_t r : test_rows) out.test_class.push_back(data.test.labels[r]);

  Eigen::MatrixXd d2 = squared_distances(x, x);
  d2.diagonal().setZero();
  out.median_distance = median_pairwise_distance(d2);
  out.bandwidth = bandwidth > 0 ? bandwidth : out.median_distance;
  const double scale = -1.0 / (2.0 * out.bandwidth * out.bandwidth);
  out.gram = (d2 * scale).array().exp().matrix();
  out.cross = (squared_distances(t, x) * scale).array().exp().matrix();
  return out;
}

}  // namespace ouro
