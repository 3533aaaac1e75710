// The exponential and power families (families/common/rate_family.hpp): the optimised MLE against the closed
// form, the exact moments (theta_k, sq_error, log_ratio) against simulation under replace, grow and
// accumulate on constant and per-generation schedules, Barzilai & Shamir's pi^2/6 under accumulate,
// small-theta sampling, and bad input.
#include <gtest/gtest.h>

#include <cmath>

#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/theory/barzilai_shamir2025.hpp"
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
        for (const std::string& metric : {parameter, std::string("sq_error"), std::string("log_ratio")}) {
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
  for (const std::int64_t k : {2, 10, 60}) {
    const auto& row = run.sink.at("accumulate", k, "sq_error");
    ASSERT_FALSE(std::isnan(row.theory.mid)) << k;
    EXPECT_EQ(row.theory.kind, TheoryKind::kExact);
    EXPECT_NEAR(row.stats.mean, row.theory.mid, 4 * row.stats.se) << "k=" << k;
  }
}

// The experiment.samples override for a per-generation schedule (and the matching generation count).
std::vector<std::string> schedule(const std::vector<std::int64_t>& n) {
  std::string list = "[";
  for (std::size_t i = 0; i < n.size(); ++i) list += (i ? ", " : "") + std::to_string(n[i]);
  return {"experiment.samples=" + list + "]", "experiment.generations=" + std::to_string(n.size())};
}

void expect_exact(const testing::Run& run, const std::string& regime, const std::string& parameter,
                  std::int64_t generations, const std::string& what) {
  for (std::int64_t k = 1; k <= generations; ++k)
    for (const std::string& metric : {parameter, std::string("sq_error"), std::string("log_ratio")}) {
      const auto& row = run.sink.at(regime, k, metric);
      ASSERT_FALSE(std::isnan(row.theory.mid)) << what << " " << regime << " " << metric << " k=" << k;
      EXPECT_EQ(row.theory.kind, TheoryKind::kExact);
      EXPECT_NEAR(row.stats.mean, row.theory.mid, 4 * row.stats.se)
          << what << " " << regime << " " << metric << " k=" << k << " (" << row.theory.source << ")";
    }
}

// n = 20 under accumulate: the first-order law (theta_0^2/n) sum_t 1/t^2 lies 4 to 5 standard errors of 40000
// replicates below the simulation; the exact value (a product of quadratures) agrees.
TEST(RateFamilies, AccumulateIsExactAtSmallN) {
  for (const char* family : {"exponential(rate=2)", "power(theta=0.3)"}) {
    const std::string name = parse_spec(family).name;
    const auto run = run_toml(experiment_toml(family, name, 20, 40000, 20, "[\"accumulate\"]"));
    expect_exact(run, "accumulate", name == "exponential" ? "rate" : "theta", 20, family);
  }
}

TEST(RateFamilies, PerGenerationSchedulesAndGrowAreExact) {
  const std::vector<std::int64_t> n{10, 6, 15, 8, 25, 7};
  for (const char* family : {"exponential(rate=2)", "power(theta=0.3)"}) {
    const std::string name = parse_spec(family).name, parameter = name == "exponential" ? "rate" : "theta";
    const auto run = run_toml(
        experiment_toml(family, name, 1, 40000, 1, "[\"replace\", \"grow\", \"accumulate\"]"), schedule(n));
    for (const char* regime : {"replace", "grow", "accumulate"})
      expect_exact(run, regime, parameter, 6, family);
    const auto grow = run_toml(experiment_toml(family, name, 8, 40000, 5, "[\"grow\"]"));
    expect_exact(grow, "grow", parameter, 8, std::string(family) + " constant n = 5");
  }
}

// Replace on a constant schedule uses the closed form; the same sizes on a schedule that differs only after
// generation k go through the per-generation table: the two agree. At generation 1 every regime is replace's.
TEST(RateFamilies, TheTableAgreesWithTheClosedForm) {
  const auto sim = make_simulator("exponential(rate=1.5)", "exponential");
  std::vector<std::int64_t> n(40, 9);
  const SampleSchedule constant(n);
  n.back() = 10;
  const SampleSchedule varying(n);
  const Regime replace = parse_regime("replace"), accumulate = parse_regime("accumulate");
  for (const std::string metric : {"rate", "sq_error", "log_ratio"}) {
    const auto one = sim->theory(TheoryQuery{accumulate, constant, 1, metric, nullptr});
    ASSERT_TRUE(one.has_value());
    EXPECT_NEAR(one->mid, sim->theory(TheoryQuery{replace, constant, 1, metric, nullptr})->mid, 1e-13)
        << metric;
    for (std::int64_t k = 1; k < 40; k += 6) {
      const auto a = sim->theory(TheoryQuery{replace, constant, k, metric, nullptr});
      const auto b = sim->theory(TheoryQuery{replace, varying, k, metric, nullptr});
      ASSERT_TRUE(a && b) << metric << " k=" << k;
      EXPECT_NEAR(a->mid, b->mid, 1e-12 * std::abs(a->mid)) << metric << " k=" << k;
    }
  }
  // Replace needs n_j > 2 for E[theta^2] and n_j > 1 for E[theta]: no value where the moment is infinite.
  const SampleSchedule two(std::vector<std::int64_t>(3, 2));
  EXPECT_FALSE(sim->theory(TheoryQuery{replace, two, 2, "sq_error", nullptr}).has_value());
  EXPECT_TRUE(sim->theory(TheoryQuery{replace, two, 2, "rate", nullptr}).has_value());
  EXPECT_TRUE(sim->theory(TheoryQuery{accumulate, two, 3, "sq_error", nullptr}) == std::nullopt)
      << "generation 1 alone has n_1 = 2 real samples: E[theta_1^2] is infinite";
}

// For large n the exact accumulate value tends to the first-order law (theta_0^2/n) sum_{t<=k} 1/t^2 (the
// relative gap is O(1/n)), over thousands of generations.
TEST(RateFamilies, AccumulateTendsToTheFirstOrderLawForLargeN) {
  const auto sim = make_simulator("exponential(rate=1)", "exponential");
  const std::int64_t n = 1000000, generations = 3000;
  const SampleSchedule samples(std::vector<std::int64_t>(generations, n));
  const Regime accumulate = parse_regime("accumulate");
  for (const std::int64_t k : {1, 10, 100, 3000}) {
    const double exact = sim->theory(TheoryQuery{accumulate, samples, k, "sq_error", nullptr})->mid;
    const double first = theory::accumulated_mean_variance(1.0, n, k);
    EXPECT_NEAR(exact, first, 1e-5 * first) << "k=" << k;
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
