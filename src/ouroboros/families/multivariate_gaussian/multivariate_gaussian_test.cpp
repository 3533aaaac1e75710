// multivariate_gaussian: replicate means against the derived theory, the statistics kernel (Bartlett-drawn
// Wishart scatter, pooled by Chan's merge) against the per-sample reference, and bad-input messages.
// Tolerances are 4 standard errors estimated from the replicates; seeds are fixed, so every run is identical.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/family.hpp"

namespace ouro {
namespace {

constexpr char kTruth[] = "multivariate_gaussian(d=3, mean=[1,-2,0.5], variances=[1,2,0.5], correlation=0.3)";
constexpr int kReplicates = 4000;

struct Moments {
  double mean = 0;
  double se = 0;  // standard error of the mean
};

// Runs `replicates` chains to `generation` and returns the mean and standard error of each metric there.
std::vector<Moments> run(const Simulator& sim, const std::string& regime_text, KernelKind kernel,
                         std::int64_t n, std::int64_t generation, std::uint64_t seed,
                         int replicates = kReplicates) {
  const Regime regime = parse_regime(regime_text);
  const SampleSchedule samples(std::vector<std::int64_t>(static_cast<std::size_t>(generation), n));
  sim.validate(regime, samples);
  const std::size_t metric_count = sim.metrics().size();
  std::vector<double> values(metric_count), sum(metric_count, 0.0), sum_sq(metric_count, 0.0);
  for (int r = 0; r < replicates; ++r) {
    auto chain = sim.chain(regime, kernel, samples, seed, static_cast<std::uint64_t>(r));
    for (std::int64_t k = 1; k <= generation; ++k) chain->step(k, values);
    for (std::size_t m = 0; m < metric_count; ++m) {
      sum[m] += values[m];
      sum_sq[m] += values[m] * values[m];
    }
  }
  std::vector<Moments> out(metric_count);
  const double count = static_cast<double>(replicates);
  for (std::size_t m = 0; m < metric_count; ++m) {
    const double mean = sum[m] / count;
    const double var = (sum_sq[m] - count * mean * mean) / (count - 1.0);
    out[m] = {mean, std::sqrt(std::max(var, 0.0) / count)};
  }
  return out;
}

std::size_t metric_index(const Simulator& sim, const std::string& name) {
  const auto& metrics = sim.metrics();
  for (std::size_t i = 0; i < metrics.size(); ++i)
    if (metrics[i].name == name) return i;
  ADD_FAILURE() << "no metric " << name;
  return 0;
}

double theory_mid(const Simulator& sim, const std::string& metric, std::int64_t n, std::int64_t generation) {
  const Regime regime = parse_regime("replace");
  const SampleSchedule samples(std::vector<std::int64_t>(static_cast<std::size_t>(generation), n));
  const auto value = sim.theory(TheoryQuery{regime, samples, generation, metric, nullptr});
  EXPECT_TRUE(value.has_value()) << metric;
  return value ? value->mid : std::nan("");
}

std::string user_error(const std::string& truth, const std::string& model) {
  try {
    make_simulator(truth, model);
  } catch (const UserError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no UserError for " << truth;
  return {};
}

TEST(MultivariateGaussian, DescriptorAndTruthMetrics) {
  const auto sim = make_simulator(kTruth, "multivariate_gaussian(estimator=unbiased)");
  const std::vector<std::string> names{"trace", "logdet", "kl", "mean_sq_error", "log_trace"};
  ASSERT_EQ(sim->metrics().size(), names.size());
  for (std::size_t i = 0; i < names.size(); ++i) EXPECT_EQ(sim->metrics()[i].name, names[i]);
  std::vector<double> truth(names.size());
  sim->truth_metrics(truth);
  EXPECT_NEAR(truth[0], 3.5, 1e-12);
  // det of diag(v)^{1/2} R diag(v)^{1/2} = prod v * (1 - rho)^2 (1 + 2 rho) for d = 3.
  EXPECT_NEAR(truth[1], std::log(1.0 * 2.0 * 0.5 * 0.49 * 1.6), 1e-12);
  EXPECT_NEAR(truth[2], 0.0, 1e-12);
  EXPECT_EQ(truth[3], 0.0);
  EXPECT_NEAR(truth[4], std::log(3.5), 1e-12);
  const auto json = sim->describe();
  EXPECT_EQ(json["truth"]["d"], 3);
  EXPECT_EQ(json["estimator"], "unbiased");
  EXPECT_EQ(json["covariance_divisor"], "n - 1 (ddof 1)");
}

// Replace, n = 10: replicate means of trace, logdet and mean_sq_error at generations 1 and 5 against
// theory().
TEST(MultivariateGaussian, ReplaceMatchesTheory) {
  const std::int64_t n = 10;
  for (const char* estimator : {"mle", "unbiased"}) {
    const auto sim =
        make_simulator(kTruth, std::string("multivariate_gaussian(estimator=") + estimator + ")");
    for (const std::int64_t generation : {1, 5}) {
      const auto moments = run(*sim, "replace", KernelKind::kStatistics, n, generation, 11);
      for (const char* metric : {"trace", "logdet", "mean_sq_error"}) {
        const Moments& m = moments[metric_index(*sim, metric)];
        const double expected = theory_mid(*sim, metric, n, generation);
        EXPECT_LE(std::abs(m.mean - expected), 4.0 * m.se)
            << estimator << " generation " << generation << " " << metric << ": mean " << m.mean << " se "
            << m.se << " theory " << expected;
      }
    }
  }
}

void expect_kernels_agree(const std::string& regime, std::int64_t n, std::int64_t generation) {
  for (const char* estimator : {"mle", "unbiased"}) {
    const auto sim =
        make_simulator(kTruth, std::string("multivariate_gaussian(estimator=") + estimator + ")");
    // Different seeds: the two samples of replicates must be independent for the two-sample z test.
    const auto stats = run(*sim, regime, KernelKind::kStatistics, n, generation, 21);
    const auto sample = run(*sim, regime, KernelKind::kSample, n, generation, 22);
    for (const char* metric : {"trace", "logdet", "kl", "mean_sq_error"}) {
      const std::size_t i = metric_index(*sim, metric);
      const double tolerance = 4.0 * std::hypot(stats[i].se, sample[i].se);
      EXPECT_LE(std::abs(stats[i].mean - sample[i].mean), tolerance)
          << regime << " " << estimator << " " << metric << ": statistics " << stats[i].mean << " sample "
          << sample[i].mean << " tolerance " << tolerance;
    }
  }
}

TEST(MultivariateGaussian, StatisticsKernelMatchesSampleKernelReplace) {
  expect_kernels_agree("replace", 10, 3);
}

TEST(MultivariateGaussian, StatisticsKernelMatchesSampleKernelAccumulate) {
  expect_kernels_agree("accumulate", 10, 4);
}

// fresh_mix with n = 10 and real_fraction 0.2 draws real batches of 2 < d + 1: the singular-Wishart path.
TEST(MultivariateGaussian, StatisticsKernelMatchesSampleKernelFreshMix) {
  expect_kernels_agree("fresh_mix(real_fraction=0.2)", 10, 3);
}

TEST(MultivariateGaussian, RejectsVariancesOfWrongLength) {
  const std::string msg = user_error("multivariate_gaussian(d=3, variances=[1,2])", "multivariate_gaussian");
  EXPECT_NE(msg.find("variances"), std::string::npos) << msg;
  EXPECT_NE(msg.find("d = 3"), std::string::npos) << msg;
}

TEST(MultivariateGaussian, RejectsMeanOfWrongLength) {
  const std::string msg = user_error("multivariate_gaussian(d=2, mean=[1,2,3])", "multivariate_gaussian");
  EXPECT_NE(msg.find("mean"), std::string::npos) << msg;
  EXPECT_NE(msg.find("d = 2"), std::string::npos) << msg;
}

TEST(MultivariateGaussian, RejectsNonPositiveVariance) {
  const std::string msg = user_error("multivariate_gaussian(d=2, variances=[1,0])", "multivariate_gaussian");
  EXPECT_NE(msg.find("variances"), std::string::npos) << msg;
  EXPECT_NE(msg.find("must hold only numbers > 0"), std::string::npos) << msg;
}

TEST(MultivariateGaussian, RejectsCorrelationThatIsNotPositiveDefinite) {
  const std::string msg = user_error("multivariate_gaussian(d=3, correlation=-0.9)", "multivariate_gaussian");
  EXPECT_NE(msg.find("correlation"), std::string::npos) << msg;
  EXPECT_NE(msg.find("positive definite"), std::string::npos) << msg;
}

TEST(MultivariateGaussian, RejectsMissingDimension) {
  const std::string msg = user_error("multivariate_gaussian(mean=1)", "multivariate_gaussian");
  EXPECT_NE(msg.find("'d'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("required"), std::string::npos) << msg;
}

TEST(MultivariateGaussian, RejectsTrainingSetsOfAtMostDSamples) {
  for (const char* estimator : {"mle", "unbiased"}) {
    const auto sim = make_simulator("multivariate_gaussian(d=3)",
                                    std::string("multivariate_gaussian(estimator=") + estimator + ")");
    try {
      sim->validate(parse_regime("replace"), SampleSchedule(std::vector<std::int64_t>(5, 3)));
      ADD_FAILURE() << "n = 3 accepted for d = 3 (" << estimator << ")";
    } catch (const UserError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("experiment.samples"), std::string::npos) << msg;
      EXPECT_NE(msg.find("d + 1 = 4"), std::string::npos) << msg;
    }
    EXPECT_NO_THROW(sim->validate(parse_regime("replace"), SampleSchedule(std::vector<std::int64_t>(5, 4))));
  }
}

}  // namespace
}  // namespace ouro
