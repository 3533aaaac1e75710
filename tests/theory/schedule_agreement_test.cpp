// Simulation against theory, through the runner, for per-generation sample schedules and for the regimes
// beyond replace (grow, accumulate, fresh_mix): gaussian, multivariate_gaussian, kde, bernoulli and poisson.
// An exact value must lie within 4 standard errors of the replicate mean; a bound must not be violated by
// more than 4 se. Seeds are fixed, so every run is identical. (The rate families are in
// tests/families/rate_families_test.cpp.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "support/collect.hpp"
#include "support/theory_check.hpp"

namespace ouro {
namespace {

using testing::experiment_toml;
using testing::run_toml;
using testing::expect_agrees;

// experiment.samples as a list, and the matching generation count.
std::vector<std::string> schedule(const std::vector<std::int64_t>& n) {
  std::string list = "[";
  for (std::size_t i = 0; i < n.size(); ++i) list += (i ? ", " : "") + std::to_string(n[i]);
  return {"experiment.samples=" + list + "]", "experiment.generations=" + std::to_string(n.size())};
}


void expect_all(const testing::Run& run, const std::vector<std::string>& regimes,
                const std::vector<std::string>& metrics, std::int64_t generations, const std::string& what,
                double unit = 0) {
  for (const std::string& regime : regimes)
    for (std::int64_t k = 1; k <= generations; ++k)
      for (const std::string& metric : metrics)
        expect_agrees(run.sink.at(regime, k, metric),
                      what + " " + regime + " " + metric + " k=" + std::to_string(k), unit);
}

const std::vector<std::int64_t> kSchedule{10, 6, 15, 8, 25, 7, 12, 9};

// ---------- gaussian ----------

TEST(ScheduleAgreement, GaussianReplaceAndGrowOnASchedule) {
  for (const char* model :
       {"gaussian(estimator=mle)", "gaussian(estimator=unbiased)", "gaussian(known=mean)"}) {
    const auto run =
        run_toml(experiment_toml("gaussian(mean=1, sd=2)", model, 1, 20000, 1, "[\"replace\", \"grow\"]"),
                 schedule(kSchedule));
    expect_all(run, {"replace", "grow"}, {"mean", "sigma", "variance", "log_variance", "mean_sq_error", "kl"},
               8, model);
  }
  const auto known = run_toml(experiment_toml("gaussian(mean=1, sd=2)", "gaussian(known=variance)", 1, 20000,
                                              1, "[\"replace\", \"grow\"]"),
                              schedule(kSchedule));
  expect_all(known, {"replace", "grow"}, {"mean", "mean_sq_error", "kl"}, 8, "known=variance");
}

// Constant n: E[S_k] = sigma_0 alpha(n)^k and E[kl] join the existing columns; grow's sizes are 4, 8, 12, ...
TEST(ScheduleAgreement, GaussianSigmaAndKlForAConstantN) {
  const auto run = run_toml(experiment_toml("gaussian(mean=0, sd=1)", "gaussian(estimator=unbiased)", 20,
                                            20000, 10, "[\"replace\", \"grow\"]"));
  expect_all(run, {"replace", "grow"}, {"mean", "sigma", "kl"}, 20, "n = 10");
}

TEST(ScheduleAgreement, GaussianAccumulateAndFreshMix) {
  const std::vector<std::string> regimes{"accumulate", "fresh_mix(real_fraction=0.3)"};
  for (const char* model :
       {"gaussian(estimator=mle)", "gaussian(estimator=unbiased)", "gaussian(known=mean)"}) {
    const auto run = run_toml(experiment_toml("gaussian(mean=1, sd=2)", model, 1, 20000, 1,
                                              "[\"accumulate\", \"fresh_mix(real_fraction=0.3)\"]"),
                              schedule(kSchedule));
    expect_all(run, regimes, {"mean", "variance", "mean_sq_error"}, 8, model);
    const auto constant = run_toml(experiment_toml("gaussian(mean=1, sd=2)", model, 12, 20000, 5,
                                                   "[\"accumulate\", \"fresh_mix(real_fraction=0.3)\"]"));
    expect_all(constant, regimes, {"mean", "variance", "mean_sq_error"}, 12, std::string(model) + " n = 5");
  }
  const auto known = run_toml(experiment_toml("gaussian(mean=1, sd=2)", "gaussian(known=variance)", 1, 20000,
                                              1, "[\"accumulate\", \"fresh_mix(real_fraction=0.3)\"]"),
                              schedule(kSchedule));
  expect_all(known, regimes, {"mean", "mean_sq_error", "kl"}, 8, "known=variance");
  // accumulate_subsample: only E[M_k] = mu_0.
  const auto sub = run_toml(experiment_toml("gaussian(mean=1, sd=2)", "gaussian", 6, 20000, 10,
                                            "[\"accumulate_subsample(size=7)\"]"));
  expect_all(sub, {"accumulate_subsample(size=7)"}, {"mean"}, 6, "subsample");
  EXPECT_TRUE(std::isnan(sub.sink.at("accumulate_subsample(size=7)", 3, "variance").theory.mid));
}

TEST(ScheduleAgreement, GaussianSigmaTailOnAScheduleIsMarkovsBound) {
  const auto run =
      run_toml(experiment_toml("gaussian(mean=0, sd=1)", "gaussian(estimator=unbiased)", 1, 20000, 1,
                               "[\"replace\", \"grow\"]", "[metrics]\nthresholds = [\"sigma > 1.1\"]\n"),
               schedule(kSchedule));
  for (const char* regime : {"replace", "grow"})
    for (std::int64_t k = 1; k <= 8; ++k) {
      const auto& row = run.sink.at(regime, k, "sigma>1.1");
      EXPECT_EQ(row.theory.kind, TheoryKind::kBound);
      expect_agrees(row, std::string(regime) + " k=" + std::to_string(k), 20000);
    }
}

// ---------- multivariate_gaussian ----------

TEST(ScheduleAgreement, MultivariateGaussianOnAScheduleInEveryRegime) {
  const char* truth = "multivariate_gaussian(d=3, mean=[1,-2,0.5], variances=[1,2,0.5], correlation=0.3)";
  const std::vector<std::int64_t> n{12, 9, 15, 10, 20, 9};
  for (const char* model :
       {"multivariate_gaussian(estimator=mle)", "multivariate_gaussian(estimator=unbiased)"}) {
    const auto run =
        run_toml(experiment_toml(truth, model, 1, 10000, 1,
                                 "[\"replace\", \"grow\", \"accumulate\", \"fresh_mix(real_fraction=0.3)\"]"),
                 schedule(n));
    expect_all(run, {"replace", "grow"}, {"trace", "logdet", "mean_sq_error", "kl"}, 6, model);
    expect_all(run, {"accumulate", "fresh_mix(real_fraction=0.3)"}, {"trace", "mean_sq_error"}, 6, model);
    EXPECT_TRUE(std::isnan(run.sink.at("replace", 3, "log_trace").theory.mid));
    EXPECT_TRUE(std::isnan(run.sink.at("accumulate", 3, "logdet").theory.mid));
  }
}

// ---------- kde ----------

TEST(ScheduleAgreement, KdeMeanInEveryRegimeAndBandwidth) {
  const std::vector<std::string> regimes{"replace", "grow", "accumulate", "fresh_mix(real_fraction=0.5)",
                                         "accumulate_subsample(size=8)"};
  const auto run =
      run_toml(experiment_toml("kde(mean=1.5, sd=2)", "kde(bandwidth=scott)", 5, 4000, 10,
                               "[\"replace\", \"grow\", \"accumulate\", \"fresh_mix(real_fraction=0.5)\", "
                               "\"accumulate_subsample(size=8)\"]"));
  expect_all(run, regimes, {"mean"}, 5, "scott");
}

TEST(ScheduleAgreement, KdeFixedBandwidthVarianceOnASchedule) {
  const auto run =
      run_toml(experiment_toml("kde(mean=0, sd=1)", "kde(bandwidth=0.3)", 1, 10000, 1,
                               "[\"replace\", \"grow\", \"accumulate\", \"fresh_mix(real_fraction=0.3)\"]"),
               schedule({10, 6, 15, 8, 20}));
  expect_all(run, {"replace", "grow", "accumulate", "fresh_mix(real_fraction=0.3)"}, {"variance", "mean"}, 5,
             "h = 0.3");
}

// ---------- bernoulli ----------

TEST(ScheduleAgreement, BernoulliOnAScheduleInEveryRegime) {
  const int reps = 20000;
  const auto run =
      run_toml(experiment_toml("bernoulli(p=0.2)", "bernoulli", 1, reps, 1,
                               "[\"replace\", \"grow\", \"accumulate\", \"fresh_mix(real_fraction=0.3)\"]"),
               schedule({12, 5, 30, 8, 20, 6, 15, 40}));
  const std::vector<std::string> regimes{"replace", "grow", "accumulate", "fresh_mix(real_fraction=0.3)"};
  expect_all(run, regimes, {"p", "pq"}, 8, "p0 = 0.2");
  expect_all(run, regimes, {"alive", "interior"}, 8, "p0 = 0.2", reps);
  EXPECT_EQ(run.sink.at("accumulate", 8, "alive").theory.kind, TheoryKind::kExact);
  EXPECT_EQ(run.sink.at("replace", 8, "alive").theory.kind, TheoryKind::kBound);
}

// ---------- poisson ----------

TEST(ScheduleAgreement, PoissonTheoremTwoOnAScheduleInEveryRegime) {
  const int reps = 40000;
  const auto run =
      run_toml(experiment_toml("poisson(lambda=0.2)", "poisson", 1, reps, 1,
                               "[\"replace\", \"grow\", \"accumulate\", \"fresh_mix(real_fraction=0.3)\"]"),
               schedule({10, 4, 25, 7, 12, 3, 30, 9}));
  const std::vector<std::string> regimes{"replace", "grow", "accumulate", "fresh_mix(real_fraction=0.3)"};
  expect_all(run, regimes, {"lambda"}, 8, "lambda0 = 0.2");
  expect_all(run, regimes, {"alive"}, 8, "lambda0 = 0.2", reps);
  for (const std::string& regime : regimes)
    EXPECT_EQ(run.sink.at(regime, 8, "alive").theory.kind, TheoryKind::kExact) << regime;
}

}  // namespace
}  // namespace ouro
