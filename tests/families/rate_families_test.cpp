// The exponential and power families (families/common/rate_family.hpp): the optimised MLE against the closed
// form, the exact replace moments against simulation on both kernels, Barzilai & Shamir's pi^2/6 under
// accumulate, small-theta sampling, and bad input.
#include <gtest/gtest.h>

#include <cmath>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/family.hpp"
#include "support/collect.hpp"
#include "support/stats.hpp"
#include "support/errors.hpp"

namespace ouro {
namespace {

using testing::experiment_toml;
using testing::run_toml;

std::vector<std::vector<double>> chain_metrics(const Simulator& sim, const char* regime, std::int64_t n,
                                               std::int64_t generations, std::uint64_t replicate) {
  const SampleSchedule samples(std::vector<std::int64_t>(static_cast<std::size_t>(generations), n));
  auto chain = sim.chain(parse_regime(regime), KernelKind::kStatistics, samples, 5, replicate);
  std::vector<std::vector<double>> out;
  for (std::int64_t g = 1; g <= generations; ++g) {
    out.emplace_back(sim.metrics().size());
    chain->step(g, out.back());
  }
  return out;
}

TEST(RateFamilies, OptimizedMleMatchesTheClosedFormAndConverges) {
  for (const char* family : {"exponential(rate=3)", "power(theta=0.2)"}) {
    const std::string name = parse_spec(family).name;
    const auto exact = make_simulator(family, name);
    const auto optimized = make_simulator(family, name + "(estimator=optimized)");
    for (std::uint64_t rep = 0; rep < 20; ++rep) {
      const auto a = chain_metrics(*exact, "accumulate", 20, 30, rep);
      const auto b = chain_metrics(*optimized, "accumulate", 20, 30, rep);
      for (std::size_t g = 0; g < a.size(); ++g) {
        EXPECT_NEAR(b[g][0], a[g][0], 1e-7 * a[g][0]) << family << " replicate " << rep << " generation " << g + 1;
        EXPECT_EQ(b[g][3], 1.0) << "converged";
      }
    }
  }
}

TEST(RateFamilies, ReplaceMomentsAreExactOnBothKernels) {
  for (const char* family : {"exponential(rate=2)", "power(theta=0.5)"}) {
    for (const char* kernel : {"statistics", "sample"}) {
      const std::string name = parse_spec(family).name;
      const auto run = run_toml(experiment_toml(family, name, 10, 20000, 50, "[\"replace\"]"),
                                {std::string("experiment.kernel=") + kernel});
      const std::string parameter = name == "exponential" ? "rate" : "theta";
      for (std::int64_t k : {1, 2, 5, 10}) {
        for (const std::string& metric : {parameter, std::string("sq_error")}) {
          const auto& row = run.sink.at("replace", k, metric);
          ASSERT_FALSE(std::isnan(row.theory.mid)) << metric;
          EXPECT_NEAR(row.stats.mean, row.theory.mid, 4 * row.stats.se)
              << family << " " << kernel << " kernel, " << metric << " k=" << k;
        }
      }
    }
  }
}

// Barzilai & Shamir: under accumulate the estimate's variance after t rounds, relative to round 1, tends to
// sum_{s<=t} 1/s^2 < pi^2/6 for large n (exactly so for the Gaussian mean).
TEST(RateFamilies, AccumulatedVarianceRatioStaysBelowPiSquaredOverSix) {
  const std::int64_t reps = 4000;
  const auto run = run_toml(experiment_toml("exponential(rate=1)", "exponential", 60, reps, 2000, "[\"accumulate\"]"));
  const double v1 = std::pow(run.sink.at("accumulate", 1, "rate").stats.sd, 2);
  double harmonic = 0;
  for (std::int64_t t = 1; t <= 60; ++t) harmonic += 1.0 / static_cast<double>(t * t);
  const double ratio = std::pow(run.sink.at("accumulate", 60, "rate").stats.sd, 2) / v1;
  // Each variance has a relative standard error of about sqrt(2 / R); the ratio about sqrt(4 / R).
  const double tol = 4 * std::sqrt(4.0 / static_cast<double>(reps)) * harmonic;
  EXPECT_NEAR(ratio, harmonic, tol);
  EXPECT_LT(ratio, M_PI * M_PI / 6 + tol);
  // The theory column: (theta_0^2/n) sum 1/t^2, first order in 1/n; at n = 2000 the O(1/n^2) remainder is
  // about 1/n of the value, far inside the standard error of 4000 replicates (about 2%).
  for (const std::int64_t k : {2, 10, 60}) {
    const auto& row = run.sink.at("accumulate", k, "sq_error");
    ASSERT_FALSE(std::isnan(row.theory.mid)) << k;
    EXPECT_NEAR(row.stats.mean, row.theory.mid, 4.5 * row.stats.se) << "k=" << k;
  }
}

TEST(RateFamilies, SmallThetaPowerSamplesStayFinite) {
  const auto sim = make_simulator("power(theta=0.01)", "power");
  const SampleSchedule samples(std::vector<std::int64_t>(5, 2000));
  auto chain = sim->chain(parse_regime("replace"), KernelKind::kSample, samples, 1, 0);
  std::vector<double> m(sim->metrics().size());
  for (std::int64_t g = 1; g <= 5; ++g) {
    chain->step(g, m);
    EXPECT_TRUE(std::isfinite(m[0]) && m[0] > 0) << "generation " << g << ": theta " << m[0];
  }
}

TEST(RateFamilies, BadInput) {
  const auto message = testing::simulator_error;
  EXPECT_NE(message("exponential(rate=0)", "exponential").find("'rate=0' must be > 0"), std::string::npos);
  EXPECT_NE(message("power(theta=-1)", "power").find("'theta=-1' must be > 0"), std::string::npos);
  EXPECT_NE(message("power", "power(estimator=newton)").find("is not one of: mle, optimized"), std::string::npos);
}

}  // namespace
}  // namespace ouro
