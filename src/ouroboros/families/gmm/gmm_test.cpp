// gmm: exact sampling from a mixture, EM recovering a separated mixture and reaching at least the truth's
// likelihood, deterministic fits, convergence reporting and bad input.
#include <gtest/gtest.h>

#include <cmath>

#include "ouroboros/core/error.hpp"
#include "ouroboros/families/gmm/gmm.hpp"
#include "support/errors.hpp"

namespace ouro {
namespace {

GmmFamily make(const std::string& truth, const std::string& model = "gmm") {
  return GmmFamily(parse_spec(truth), parse_spec(model));
}

std::vector<GmmFamily::Sample> draw(const GmmFamily& f, std::int64_t n, std::uint64_t seed) {
  Rng rng(seed, 0, 1, Stream::kSynthetic);
  std::vector<GmmFamily::Sample> xs;
  f.sample(f.truth(), n, rng, xs);
  return xs;
}

TEST(Gmm, SamplingMatchesTheMixtureMoments) {
  const auto f = make("gmm(k=3, d=2, separation=4, sd=0.5)");
  const auto xs = draw(f, 300000, 1);
  Eigen::Vector2d mean = Eigen::Vector2d::Zero();
  double second = 0;
  for (const auto& x : xs) {
    mean += x;
    second += x.squaredNorm();
  }
  mean /= static_cast<double>(xs.size());
  second /= static_cast<double>(xs.size());
  // Means on a circle of radius 4 around 0: mixture mean 0, E||X||^2 = 16 + 2 * 0.25.
  EXPECT_NEAR(mean.norm(), 0.0, 0.03);
  EXPECT_NEAR(second, 16.5, 0.1);
  std::vector<double> m(4);
  f.metrics(f.truth(), m);
  EXPECT_NEAR(m[0], 16.5, 1e-12) << "total_variance of the truth";
}

TEST(Gmm, EmRecoversASeparatedMixtureAndBeatsTheTruthsLikelihood) {
  const auto f = make("gmm(k=3, d=2, separation=6, sd=1)");
  const auto xs = draw(f, 30000, 2);
  GmmFamily::Model fit;
  f.fit_samples(xs, fit);
  EXPECT_TRUE(fit.converged);
  EXPECT_GE(GmmFamily::mean_log_likelihood(fit, xs), GmmFamily::mean_log_likelihood(f.truth(), xs) - 1e-9);
  for (const auto& truth : f.truth().components) {
    double best = INFINITY;
    const GmmFamily::Component* match = nullptr;
    for (const auto& c : fit.components)
      if ((c.mean - truth.mean).norm() < best) best = (c.mean - truth.mean).norm(), match = &c;
    EXPECT_LT(best, 0.05);
    EXPECT_NEAR(match->weight, 1.0 / 3, 0.02);
    EXPECT_NEAR(match->cov(0, 0), 1.0, 0.06);
    EXPECT_NEAR(match->cov(0, 1), 0.0, 0.06);
  }
}

TEST(Gmm, FitsAreDeterministicAndNonConvergenceIsReported) {
  const auto f = make("gmm(k=2, d=1, separation=1, sd=1)", "gmm(max_iter=2, tol=1e-12)");
  const auto xs = draw(f, 500, 3);
  GmmFamily::Model a, b;
  f.fit_samples(xs, a);
  f.fit_samples(xs, b);
  EXPECT_EQ(a.components[0].mean, b.components[0].mean);
  EXPECT_FALSE(a.converged) << "two iterations cannot meet tol = 1e-12 on overlapping components";
  std::vector<double> m(4);
  f.metrics(a, m);
  EXPECT_EQ(m[3], 0.0);
}

TEST(Gmm, BadInput) {
  const auto message = testing::simulator_error;
  EXPECT_NE(message("gmm(k=0)", "gmm").find("'k=0' must be >= 1"), std::string::npos);
  EXPECT_NE(message("gmm(sd=0)", "gmm").find("'sd=0' must be > 0"), std::string::npos);
  EXPECT_NE(message("gmm", "gmm(components=0)").find("'components=0' must be >= 1"), std::string::npos);
  EXPECT_NE(message("gmm", "gmm(tol=-1)").find("'tol=-1' must be > 0"), std::string::npos);
  const auto sim = make_simulator("gmm(k=3)", "gmm");
  try {
    sim->validate(parse_regime("replace"), SampleSchedule(std::vector<std::int64_t>(4, 2)));
    ADD_FAILURE() << "2 samples for 3 components accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("smaller than the 3 components"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ouro
