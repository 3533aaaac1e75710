// Feature-space metrics: the Fréchet distance of a set with itself is 0 and between two Gaussians' moments equals
// the closed form (checked against an independent route: the eigenvalues of S_a S_b), a sampled estimate falls
// within its derived standard error; precision and recall of a set against itself are 1, against a far set 0, and
// exactly the copied share for a half-copied set; pairwise distances by hand; bad input.
#include "ouroboros/families/common/feature_metrics.hpp"

#include <gtest/gtest.h>

#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <stdexcept>

#include "ouroboros/core/rng.hpp"

namespace ouro {
namespace {

Eigen::MatrixXd normal_rows(Eigen::Index n, const Eigen::VectorXd& mean, const Eigen::MatrixXd& root, std::uint64_t seed) {
  Rng rng(seed, 0, 0, Stream::kSynthetic);
  boost::random::normal_distribution<double> z;
  Eigen::MatrixXd x(n, mean.size());
  for (Eigen::Index i = 0; i < n; ++i) {
    Eigen::VectorXd e(mean.size());
    for (auto& v : e) v = z(rng);
    x.row(i) = (mean + root * e).transpose();
  }
  return x;
}

TEST(FeatureMetrics, FrechetDistanceOfASetWithItselfIsZero) {
  const Eigen::MatrixXd root{{2, 0, 0}, {0.5, 1, 0}, {-1, 0.3, 0.7}};
  const Eigen::MatrixXd x = normal_rows(500, Eigen::Vector3d(1, -2, 3), root, 1);
  EXPECT_NEAR(frechet_distance(x, x), 0.0, 1e-9);
}

TEST(FeatureMetrics, FrechetDistanceOfTwoGaussiansIsTheClosedForm) {
  // Commuting (diagonal) covariances: |m_a - m_b|^2 + sum (sigma_a - sigma_b)^2.
  FeatureMoments a{Eigen::Vector3d(0, 1, 2), Eigen::Vector3d(1, 4, 9).asDiagonal()};
  FeatureMoments b{Eigen::Vector3d(1, 1, 0), Eigen::Vector3d(4, 1, 9).asDiagonal()};
  EXPECT_NEAR(frechet_distance(a, b), 1 + 0 + 4 + (1 + 1 + 0), 1e-12);
  // General covariances: tr((S_a S_b)^1/2) from the (real, non-negative) eigenvalues of the non-symmetric S_a S_b.
  const Eigen::MatrixXd ra{{2, 0, 0}, {0.5, 1, 0}, {-1, 0.3, 0.7}};
  const Eigen::MatrixXd rb{{1, 0.2, 0}, {0, 1.5, -0.4}, {0.3, 0, 0.9}};
  a.cov = ra * ra.transpose();
  b.cov = rb * rb.transpose();
  const Eigen::EigenSolver<Eigen::MatrixXd> eig(a.cov * b.cov);
  double trace_root = 0;
  for (const auto& l : eig.eigenvalues()) {
    EXPECT_NEAR(l.imag(), 0.0, 1e-9);
    trace_root += std::sqrt(l.real());
  }
  const double expected = (a.mean - b.mean).squaredNorm() + a.cov.trace() + b.cov.trace() - 2 * trace_root;
  EXPECT_NEAR(frechet_distance(a, b), expected, 1e-9);
}

// One dimension: FD = (m_a - m_b)^2 + (s_a - s_b)^2. By the delta method the estimate's standard deviation is
// about 2 sqrt(((m_a - m_b)^2 + (s_a - s_b)^2 / 2) (s_a^2 + s_b^2) / n), and its bias about (s_a^2 + s_b^2) / n.
TEST(FeatureMetrics, SampledFrechetDistanceFallsWithinItsStandardError) {
  const double ma = 0.5, mb = -0.3, sa = 1.2, sb = 0.7;
  const Eigen::Index n = 200000;
  const Eigen::MatrixXd a = normal_rows(n, Eigen::VectorXd::Constant(1, ma), Eigen::MatrixXd::Constant(1, 1, sa), 2);
  const Eigen::MatrixXd b = normal_rows(n, Eigen::VectorXd::Constant(1, mb), Eigen::MatrixXd::Constant(1, 1, sb), 3);
  const double exact = (ma - mb) * (ma - mb) + (sa - sb) * (sa - sb);
  const double v = sa * sa + sb * sb;
  const double sd = 2 * std::sqrt(((ma - mb) * (ma - mb) + (sa - sb) * (sa - sb) / 2) * v / static_cast<double>(n));
  EXPECT_NEAR(frechet_distance(a, b), exact, 5 * sd + v / static_cast<double>(n));
}

TEST(FeatureMetrics, PrecisionAndRecallOfASetWithItselfAndAFarSet) {
  const Eigen::MatrixXd root = Eigen::MatrixXd::Identity(4, 4);
  const Eigen::MatrixXd x = normal_rows(300, Eigen::VectorXd::Zero(4), root, 4);
  const auto self = precision_recall(x, x);
  EXPECT_EQ(self.precision, 1.0);
  EXPECT_EQ(self.recall, 1.0);
  const Eigen::MatrixXd far = normal_rows(200, Eigen::VectorXd::Constant(4, 100), root, 5);
  const auto apart = precision_recall(x, far);
  EXPECT_EQ(apart.precision, 0.0);
  EXPECT_EQ(apart.recall, 0.0);
  // Half the generated set copies real samples, half is far away: precision is exactly the copied half; the copied
  // real samples are covered, so recall is at least their share.
  Eigen::MatrixXd half(200, 4);
  half.topRows(100) = x.topRows(100);
  half.bottomRows(100) = far.topRows(100);
  const auto mixed = precision_recall(x, half);
  EXPECT_EQ(mixed.precision, 0.5);
  EXPECT_GE(mixed.recall, 100.0 / 300.0);
  EXPECT_LT(mixed.recall, 1.0);
}

TEST(FeatureMetrics, MeanPairwiseDistanceByHand) {
  const Eigen::MatrixXd x{{0, 0}, {3, 0}, {0, 4}};  // sides 3, 4, 5
  EXPECT_NEAR(mean_pairwise_distance(x), 4.0, 1e-12);
  EXPECT_EQ(mean_pairwise_distance(x.topRows(1)), 0.0);
}

TEST(FeatureMetrics, BadInputIsRefused) {
  const Eigen::MatrixXd five = Eigen::MatrixXd::Zero(5, 2), six = Eigen::MatrixXd::Ones(6, 2);
  EXPECT_THROW(feature_moments(five.topRows(1)), std::invalid_argument);
  EXPECT_THROW(precision_recall(five, six), std::invalid_argument);  // 5 rows: not more than k = 5
  EXPECT_THROW(precision_recall(six, six, 0), std::invalid_argument);
  EXPECT_THROW(precision_recall(six, Eigen::MatrixXd::Ones(6, 3)), std::invalid_argument);
  EXPECT_THROW(frechet_distance(FeatureMoments{Eigen::VectorXd::Zero(2), Eigen::MatrixXd::Zero(2, 2)},
                                FeatureMoments{Eigen::VectorXd::Zero(3), Eigen::MatrixXd::Zero(3, 3)}),
               std::invalid_argument);
}

}  // namespace
}  // namespace ouro
