#pragma once
// Sample-quality metrics of generated images in a feature space (the image families' fd, precision, recall,
// pixel_diversity). Rows of a matrix are samples, columns features. Exact, in double precision, with no
// subsampling: the sample sizes are the caller's to state (FD is biased upwards at small n).
//
// Fréchet distance (Heusel et al. 2017, "FID" with Inception features; here any features):
//   FD = |mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr((S_a^1/2 S_b S_a^1/2)^1/2),
// the 2-Wasserstein distance between the Gaussians with those moments. Covariances with divisor n - 1 (as the
// reference implementation's numpy.cov). The square roots come from symmetric eigendecompositions with negative
// eigenvalues (rounding) set to 0: tr((S_a S_b)^1/2) equals the trace of the symmetric root above, so no
// non-symmetric square root (scipy's sqrtm, with its complex parts) is needed.
//
// Precision and recall (Kynkäänniemi et al. 2019, "Improved precision and recall metric"): each sample's
// neighbourhood is the ball reaching its k-th nearest neighbour in its own set (itself excluded). Precision is the
// fraction of generated samples inside some real sample's ball; recall the fraction of real samples inside some
// generated sample's ball. k = 5 as in the paper.
#include <Eigen/Dense>

namespace ouro {

struct FeatureMoments {
  Eigen::VectorXd mean;
  Eigen::MatrixXd cov;  // divisor n - 1
};

// Needs at least 2 rows; std::invalid_argument otherwise.
FeatureMoments feature_moments(const Eigen::MatrixXd& x);

double frechet_distance(const FeatureMoments& a, const FeatureMoments& b);
double frechet_distance(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);

struct PrecisionRecall {
  double precision = 0, recall = 0;
};

// Both sets need more than k rows and the same number of columns; std::invalid_argument otherwise.
PrecisionRecall precision_recall(const Eigen::MatrixXd& real, const Eigen::MatrixXd& generated, int k = 5);

// The mean Euclidean distance over all pairs of distinct rows (pixel-level diversity); 0 for fewer than 2 rows.
double mean_pairwise_distance(const Eigen::MatrixXd& x);

}  // namespace ouro
