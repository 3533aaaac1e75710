// gmm_symmetric: the numerical joint ML is a maximum of the likelihood and solves the score equations; both
// estimators recover the truth from a large batch; Theorem 4's bound holds for the approximate joint ML.
#include <gtest/gtest.h>

#include <cmath>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/rng.hpp"
#include "ouroboros/families/gmm_symmetric/gmm_symmetric.hpp"
#include "support/collect.hpp"
#include "support/errors.hpp"

namespace ouro {
namespace {

std::vector<double> draw(double mu, double sigma, std::int64_t n, std::uint64_t seed) {
  const GmmSymmetricFamily f(parse_spec("gmm_symmetric"), parse_spec("gmm_symmetric"));
  Rng rng(seed, 0, 1, Stream::kSynthetic);
  std::vector<double> ys;
  f.sample(GmmSymmetricFamily::Model{mu, sigma}, n, rng, ys);
  return ys;
}

TEST(GmmSymmetric, JointMlSolvesTheScoreEquationsAndMaximisesTheLikelihood) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const auto ys = draw(1.2, 0.8, 50, seed);
    const auto fit = GmmSymmetricFamily::joint_ml(ys);
    double m2 = 0, score = 0;
    for (const double y : ys) {
      m2 += y * y / static_cast<double>(ys.size());
      score += y * std::tanh(fit.mu * y / (fit.sigma * fit.sigma)) / static_cast<double>(ys.size());
    }
    EXPECT_NEAR(fit.sigma * fit.sigma, m2 - fit.mu * fit.mu, 1e-12 * m2);
    if (fit.mu > 1e-6) {
      EXPECT_NEAR(score, fit.mu, 1e-6) << "seed " << seed;
    }
    const double best = GmmSymmetricFamily::log_likelihood(fit, ys);
    EXPECT_GE(best + 1e-9, GmmSymmetricFamily::log_likelihood(GmmSymmetricFamily::approximate_joint_ml(ys), ys));
    for (const double dm : {-0.01, 0.0, 0.01})
      for (const double ds : {-0.01, 0.0, 0.01})
        EXPECT_GE(best + 1e-9, GmmSymmetricFamily::log_likelihood({fit.mu + dm, fit.sigma + ds}, ys))
            << "seed " << seed << " at (" << dm << ", " << ds << ")";
  }
}

TEST(GmmSymmetric, JointMlRecoversTheTruthAndTheApproximationItsDerivedLimit) {
  const double mu = 1.5, sigma = 1.0;
  const auto ys = draw(mu, sigma, 400000, 3);
  const auto joint = GmmSymmetricFamily::joint_ml(ys);
  EXPECT_NEAR(joint.mu, mu, 0.01);
  EXPECT_NEAR(joint.sigma, sigma, 0.01);
  // As n grows, kappa -> 0, a -> 2 m2 / s2 and the approximate estimator reduces to (E|Y|, sd|Y|): it is not
  // consistent for (mu, sigma). E|Y| = mu (1 - 2 Phi(-mu/sigma)) + 2 sigma phi(mu/sigma).
  const double z = mu / sigma;
  const double abs_mean = mu * std::erf(z / std::sqrt(2.0)) + 2 * sigma * std::exp(-z * z / 2) / std::sqrt(2 * M_PI);
  const auto approx = GmmSymmetricFamily::approximate_joint_ml(ys);
  EXPECT_NEAR(approx.mu, abs_mean, 0.01);
  EXPECT_NEAR(approx.sigma, std::sqrt(mu * mu + sigma * sigma - abs_mean * abs_mean), 0.01);
}

// Suresh et al. Theorem 4 with the setting: n = 10, sigma0 = 1, mu0 = 1, eps = 0.1, 200 generations.
TEST(GmmSymmetric, TheoremFourBoundsTheCollapseProbability) {
  const auto run = testing::run_toml(testing::experiment_toml(
      "gmm_symmetric(mu=1, sigma=1)", "gmm_symmetric", 200, 2000, 10, "[\"replace\"]",
      "[metrics]\nthresholds = [\"sigma > 0.1\"]\n"));
  for (std::int64_t k : {1, 10, 50, 100, 200}) {
    const auto& row = run.sink.at("replace", k, "sigma>0.1");
    ASSERT_FALSE(std::isnan(row.theory.hi));
    // An indicator's se is at most sqrt(p/R); use the bound itself as p when the sample se is 0.
    const double se = std::max(row.stats.se, std::sqrt(std::min(1.0, row.theory.hi) / 2000.0));
    EXPECT_LE(row.stats.mean, row.theory.hi + 4 * se) << "k=" << k;
  }
}

// Far-apart components (sigma = 1e-9 mu): both estimators stay finite and resolve sigma at that scale. Once the
// components do not overlap, the joint ML is (mean |y|, sd |y|) to first order, and so is the approximation.
TEST(GmmSymmetric, TinySigmaIsResolvedNotNan) {
  for (const double sigma : {1e-4, 1e-9, 1e-14}) {
    const auto ys = draw(1.0, sigma, 10, 7);
    double m1 = 0, s2 = 0;
    for (const double y : ys) m1 += std::abs(y) / 10;
    for (const double y : ys) s2 += (std::abs(y) - m1) * (std::abs(y) - m1) / 10;
    for (const auto& fit : {GmmSymmetricFamily::joint_ml(ys), GmmSymmetricFamily::approximate_joint_ml(ys)}) {
      ASSERT_TRUE(std::isfinite(fit.sigma) && std::isfinite(fit.mu)) << "sigma " << sigma;
      EXPECT_NEAR(fit.mu, m1, 1e-12) << "sigma " << sigma;
    }
    EXPECT_NEAR(GmmSymmetricFamily::joint_ml(ys).sigma / std::sqrt(s2), 1.0, 1e-6) << "sigma " << sigma;
  }
  // Every |y| equal (sigma below the resolution of mu): sigma is exactly 0, mu = |y|, a fixed point.
  const std::vector<double> same{1.0, -1.0, 1.0, 1.0};
  EXPECT_EQ(GmmSymmetricFamily::joint_ml(same).sigma, 0.0);
  EXPECT_EQ(GmmSymmetricFamily::approximate_joint_ml(same).sigma, 0.0);
  EXPECT_EQ(GmmSymmetricFamily::approximate_joint_ml(same).mu, 1.0);
}

// Collapsing chains collapse towards sigma = 0 for both estimators: no NaN in any replicate, and the median keeps
// falling (the joint ML used to stall near 4e-4, the approximation to turn NaN near 1e-8).
TEST(GmmSymmetric, CollapsingChainsNeitherTurnNanNorStall) {
  for (const char* estimator : {"approximate", "joint"}) {
    const auto run = testing::run_toml(testing::experiment_toml(
        "gmm_symmetric(mu=1, sigma=1)", std::string("gmm_symmetric(estimator=") + estimator + ")", 200, 200, 10,
        "[\"replace\"]"));
    for (const std::int64_t k : {50, 100, 150, 200}) {
      const auto& row = run.sink.at("replace", k, "sigma");
      EXPECT_EQ(row.stats.finite, 200) << estimator << " k=" << k;
      EXPECT_FALSE(std::isnan(row.stats.mean)) << estimator << " k=" << k;
    }
    EXPECT_LT(run.sink.at("replace", 200, "sigma").stats.q50, 1e-3 * run.sink.at("replace", 100, "sigma").stats.q50)
        << estimator;
    EXPECT_GT(run.sink.at("replace", 200, "mu").stats.q50, 0.5) << estimator << ": mu does not fall to 0";
  }
}

TEST(GmmSymmetric, BadInput) {
  const auto message = testing::simulator_error;
  EXPECT_NE(message("gmm_symmetric(mu=-1)", "gmm_symmetric").find("'mu=-1' must be >= 0"), std::string::npos);
  EXPECT_NE(message("gmm_symmetric(sigma=0)", "gmm_symmetric").find("'sigma=0' must be > 0"), std::string::npos);
  EXPECT_NE(message("gmm_symmetric", "gmm_symmetric(estimator=em)").find("approximate, joint"), std::string::npos);
}

}  // namespace
}  // namespace ouro
