// Simulation against theory, through the runner: every closed form attached to a metric is checked on the
// regime, estimator and sizes it is valid for. Tolerances come from the replicate count: an exact result must
// lie within 4 standard errors of the simulated mean; a bound must not be violated by more than 4 se.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "support/collect.hpp"
#include "support/theory_check.hpp"

namespace ouro {
namespace {

using testing::experiment_toml;
using testing::run_toml;
using testing::expect_agrees;


TEST(TheoryAgreement, GaussianUnbiasedReplace) {
  const auto run = run_toml(experiment_toml("gaussian(mean=0, sd=1)", "gaussian(estimator=unbiased)", 60, 4000, 10,
                                            "[\"replace\"]", "[metrics]\nthresholds = [\"sigma > 0.5\"]\n"));
  for (std::int64_t k : {1, 2, 5, 20, 60}) {
    expect_agrees(run.sink.at("replace", k, "log_variance"), "log_variance k=" + std::to_string(k));
    expect_agrees(run.sink.at("replace", k, "sigma>0.5"), "Pr(sigma > 0.5) k=" + std::to_string(k));
  }
  // E[S_k^2] and E[(M_k - mu)^2] are dominated by rare replicates once k is large (S_k^2 is a product of
  // chi-squares); they are checked where 4000 replicates resolve them.
  for (std::int64_t k : {1, 2, 3}) {
    expect_agrees(run.sink.at("replace", k, "variance"), "variance k=" + std::to_string(k));
    expect_agrees(run.sink.at("replace", k, "mean_sq_error"), "mean_sq_error k=" + std::to_string(k));
  }
}

TEST(TheoryAgreement, GaussianMleReplace) {
  const auto run = run_toml(experiment_toml("gaussian(mean=2, sd=3)", "gaussian(estimator=mle)", 30, 4000, 20,
                                            "[\"replace\"]"));
  for (std::int64_t k : {1, 3, 10, 30}) expect_agrees(run.sink.at("replace", k, "log_variance"), "log_variance");
  for (std::int64_t k : {1, 2, 4}) {
    expect_agrees(run.sink.at("replace", k, "variance"), "variance");
    expect_agrees(run.sink.at("replace", k, "mean_sq_error"), "mean_sq_error");
  }
}

TEST(TheoryAgreement, GaussianMeanUnderAccumulateIsBoundedByPiSquaredOverSix) {
  // Barzilai & Shamir: known variance, accumulate: Var(M_k) = (sigma^2/n) sum_{t<=k} 1/t^2 < (pi^2/6) sigma^2/n.
  const auto run = run_toml(experiment_toml("gaussian(mean=0, sd=2)", "gaussian(known=variance)", 100, 20000, 5,
                                            "[\"accumulate\", \"replace\"]"));
  for (std::int64_t k : {1, 2, 10, 100}) {
    expect_agrees(run.sink.at("accumulate", k, "mean_sq_error"), "accumulate k=" + std::to_string(k));
    expect_agrees(run.sink.at("replace", k, "mean_sq_error"), "replace k=" + std::to_string(k));
  }
  const double limit = M_PI * M_PI / 6 * 4.0 / 5;
  EXPECT_LT(run.sink.at("accumulate", 100, "mean_sq_error").theory.mid, limit);
  EXPECT_GT(run.sink.at("accumulate", 100, "mean_sq_error").theory.mid, 0.99 * limit);
}

TEST(TheoryAgreement, BernoulliTheoremOneAndSeddik) {
  const auto run = run_toml(experiment_toml("bernoulli(p=0.05)", "bernoulli", 200, 6000, 20, "[\"replace\"]"));
  for (std::int64_t k : {1, 2, 5, 10, 50, 200}) {
    const std::string at = " k=" + std::to_string(k);
    expect_agrees(run.sink.at("replace", k, "alive"), "alive" + at, 6000);
    expect_agrees(run.sink.at("replace", k, "interior"), "interior" + at, 6000);
    expect_agrees(run.sink.at("replace", k, "pq"), "pq" + at, 6000);
    expect_agrees(run.sink.at("replace", k, "p"), "p" + at);
  }
}

TEST(TheoryAgreement, PoissonTheoremTwoIsExact) {
  const auto run = run_toml(experiment_toml("poisson(lambda=0.3)", "poisson", 300, 20000, 10, "[\"replace\", \"accumulate\"]"));
  for (std::int64_t k : {1, 2, 5, 20, 100, 300}) {
    expect_agrees(run.sink.at("replace", k, "alive"), "alive k=" + std::to_string(k), 20000);
    expect_agrees(run.sink.at("replace", k, "lambda"), "lambda k=" + std::to_string(k));
    expect_agrees(run.sink.at("accumulate", k, "lambda"), "accumulate lambda k=" + std::to_string(k));
  }
}

TEST(TheoryAgreement, CategoricalCorollaryOne) {
  const auto run = run_toml(experiment_toml("categorical(dist=zipf, m=1000, a=1, b=0)", "categorical", 100, 300, 1000,
                                            "[\"replace\"]", "[output]\nforgetting = false\n"));
  for (std::int64_t k : {1, 2, 5, 10, 30, 100})
    expect_agrees(run.sink.at("replace", k, "support"), "support k=" + std::to_string(k));
}

TEST(TheoryAgreement, TheoryIsAbsentWhereNoResultApplies) {
  const auto run = run_toml(
      experiment_toml("poisson(lambda=0.3)", "poisson", 5, 10, 10, "[\"accumulate_subsample(size=5)\"]"));
  EXPECT_TRUE(std::isnan(run.sink.at("accumulate_subsample(size=5)", 3, "alive").theory.mid));
  const auto cat = run_toml(experiment_toml(
      "categorical(dist=uniform, m=5)", "categorical(estimator=add_constant)", 3, 10, 10, "[\"replace\"]"));
  EXPECT_TRUE(std::isnan(cat.sink.at("replace", 2, "support").theory.lo));
  const auto varying = run_toml(
      "[experiment]\ngenerations = 3\nreplicates = 10\nsamples = [5, 6, 7]\n[truth]\nfamily = "
      "\"categorical(dist=uniform, m=5)\"\n"
      "[model]\nfamily = \"categorical\"\n[output]\nforgetting = false\n");
  EXPECT_TRUE(std::isnan(varying.sink.at("replace", 2, "support").theory.lo))
      << "Corollary 1 needs a constant n";
}

}  // namespace
}  // namespace ouro
