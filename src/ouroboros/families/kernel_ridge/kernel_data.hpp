#pragma once
// The fixed data behind a kernel_ridge simulator, built once and shared read-only by every chain: the
// training pool and held-out test subsets of a labelled image set, their one-hot labels, and the RBF Gram
// matrices pool x pool and test x pool, so that every fit only indexes into them.
#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "ouroboros/data/fashion_mnist.hpp"

namespace ouro {

inline constexpr int kKernelRidgeClasses = 10;

struct KernelData {
  Eigen::MatrixXd pool_onehot;           // P x 10: the real labels of the pool as one-hot rows
  std::vector<std::uint8_t> test_class;  // Q real classes of the test subset
  Eigen::MatrixXd gram;                  // P x P: k(x_i, x_j) over the pool
  Eigen::MatrixXd cross;                 // Q x P: k(test_i, x_j)
  std::vector<std::size_t> pool_source;  // index in the training split of each pool point
  double bandwidth = 0;                  // h of k(x, x') = exp(-|x - x'|^2 / (2 h^2))
  double median_distance = 0;            // median pairwise distance within the pool
};

// Chooses `train_size` training and `test_size` test images uniformly without replacement (Stream::kTruth of
// `subset_seed`), scales pixels to [0, 1], and builds the Gram matrices. bandwidth <= 0 selects the median
// heuristic h = median pairwise distance within the pool. Sizes must not exceed the splits (checked by caller).
KernelData build_kernel_data(const FashionMnist& data, std::size_t train_size, std::size_t test_size,
                             std::uint64_t subset_seed, double bandwidth);

}  // namespace ouro
