// The conformance suite: every registered family must pass these, run through the generic Simulator interface.
// A family added to the registry without an entry in kCases fails EveryFamilyHasACase.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "ouroboros/core/archive.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/core/spec.hpp"
#include "support/stats.hpp"

namespace ouro {
namespace {

struct Case {
  std::string truth, model;
  std::int64_t small_n;  // for the kernel comparison
};

const std::map<std::string, Case>& cases() {
  static const std::map<std::string, Case> c{
      {"bernoulli", {"bernoulli(p=0.3)", "bernoulli", 8}},
      {"bs_spike", {"bs_spike", "bs_spike", 20}},
      {"bs_staircase", {"bs_staircase", "bs_staircase", 20}},
      {"categorical", {"categorical(dist=zipf, m=20, a=1.2, b=1)", "categorical(estimator=mle)", 12}},
      {"exponential", {"exponential(rate=2)", "exponential(estimator=optimized)", 8}},
      {"gaussian", {"gaussian(mean=1, sd=2)", "gaussian(estimator=unbiased)", 8}},
      {"gmm", {"gmm(k=2, d=2, separation=5, sd=1)", "gmm", 30}},
      {"kde", {"kde(mean=1, sd=2)", "kde(bandwidth=silverman)", 10}},
      {"linear_regression",
       {"linear_regression(d=3, sigma=0.5, spectrum=[1, 0.5, 0.25], w=[1, -0.5, 0.25])",
        "linear_regression(test_samples=50, downstream_samples=20)", 12}},
      {"kernel_ridge",
       {"kernel_ridge(data=\"" OUROBOROS_SOURCE_DIR "/tests/data/fashion_tiny\", train_size=40, test_size=30)",
        "kernel_ridge(lambda=0.00001, noise=0.2, design=resample)", 10}},
      {"gmm_symmetric", {"gmm_symmetric(mu=1.5, sigma=1)", "gmm_symmetric(estimator=joint)", 10}},
      {"multivariate_gaussian",
       {"multivariate_gaussian(d=2, variances=[1, 3], correlation=0.4)", "multivariate_gaussian(estimator=unbiased)", 8}},
      {"ngram", {"ngram(corpus=\"" OUROBOROS_SOURCE_DIR "/tests/data/corpus/small\")", "ngram(order=2)", 8}},
      {"poisson", {"poisson(lambda=2.5)", "poisson", 8}},
      {"power", {"power(theta=0.3)", "power", 8}},
  };
  return c;
}

std::vector<std::string> family_names() {
  std::vector<std::string> names;
  for (const auto* f : Registry::instance().all()) names.push_back(f->name);
  return names;
}

std::vector<std::vector<double>> run_chain(const Simulator& sim, const Regime& regime, KernelKind kernel,
                                           std::int64_t n, std::int64_t generations, std::uint64_t seed,
                                           std::uint64_t replicate) {
  const SampleSchedule samples(std::vector<std::int64_t>(static_cast<std::size_t>(generations), n));
  auto chain = sim.chain(regime, kernel, samples, seed, replicate);
  std::vector<std::vector<double>> out;
  for (std::int64_t g = 1; g <= generations; ++g) {
    out.emplace_back(sim.metrics().size());
    chain->step(g, out.back());
  }
  return out;
}

// Equal bit for bit (NaN included).
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

class Conformance : public ::testing::TestWithParam<std::string> {
 protected:
  const Case& c() const { return cases().at(GetParam()); }
  std::unique_ptr<Simulator> make() const { return make_simulator(c().truth, c().model); }
};

TEST(ConformanceRegistry, EveryFamilyHasACase) {
  for (const auto& name : family_names()) EXPECT_TRUE(cases().count(name)) << name << " has no conformance case";
}

TEST_P(Conformance, SpecRoundTripBindsTheSameFamily) {
  const auto a = make();
  const auto b = make_simulator(parse_spec(c().truth).to_string(), parse_spec(c().model).to_string());
  EXPECT_EQ(a->describe(), b->describe());
}

TEST_P(Conformance, DescriptorMatchesMetrics) {
  const auto sim = make();
  const FamilyDescriptor* d = Registry::instance().find(GetParam());
  ASSERT_NE(d, nullptr);
  ASSERT_EQ(d->metrics.size(), sim->metrics().size());
  std::vector<double> out(sim->metrics().size() + 1, -12345.0);
  sim->truth_metrics(std::span(out).first(sim->metrics().size()));
  EXPECT_EQ(out.back(), -12345.0) << "truth_metrics wrote past its metrics";
  for (std::size_t i = 0; i + 1 < out.size(); ++i) EXPECT_NE(out[i], -12345.0) << sim->metrics()[i].name;
}

TEST_P(Conformance, SameSeedSameChainDifferentReplicateDifferentChain) {
  const auto sim = make();
  for (const char* r : {"replace", "accumulate", "grow", "fresh_mix(real_fraction=0.5)", "accumulate_subsample(size=6)"}) {
    const Regime regime = parse_regime(r);
    for (const auto kernel : {KernelKind::kStatistics, KernelKind::kSample}) {
      const auto a = run_chain(*sim, regime, kernel, 8, 6, 3, 5);
      const auto b = run_chain(*sim, regime, kernel, 8, 6, 3, 5);
      const auto other = run_chain(*sim, regime, kernel, 8, 6, 3, 6);
      EXPECT_EQ(a, b) << r;
      EXPECT_NE(a, other) << r;
    }
  }
}

TEST_P(Conformance, RecoversTheTruthFromALargeRealBatch) {
  const auto sim = make();
  std::vector<double> truth(sim->metrics().size());
  sim->truth_metrics(truth);
  for (const auto kernel : {KernelKind::kStatistics, KernelKind::kSample}) {
    const auto fitted = run_chain(*sim, parse_regime("replace"), kernel, 200000, 1, 1, 0).front();
    for (std::size_t m = 0; m < truth.size(); ++m) {
      if (!std::isfinite(truth[m])) continue;
      EXPECT_NEAR(fitted[m], truth[m], 0.05 * (1 + std::abs(truth[m])))
          << sim->metrics()[m].name << " (" << kernel_name(kernel) << " kernel)";
    }
  }
}

// Contract v2 checkpoints: a chain saved after generation k and loaded into a fresh chain continues with identical
// bits, in every regime and kernel. A family that cannot be checkpointed says so (descriptor and simulator agree).
TEST_P(Conformance, CheckpointedChainContinuesIdentically) {
  const auto sim = make();
  const FamilyDescriptor* d = Registry::instance().find(GetParam());
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->checkpoints, sim->checkpointable());
  if (!sim->checkpointable()) {
    const SampleSchedule samples(std::vector<std::int64_t>(3, 8));
    auto chain = sim->chain(parse_regime("replace"), KernelKind::kSample, samples, 1, 0);
    EXPECT_FALSE(chain->checkpointable());
    ArchiveWriter w;
    EXPECT_THROW(chain->save(w), std::logic_error);
    GTEST_SKIP() << GetParam() << " declares no checkpoints";
  }
  const std::int64_t generations = 6, n = 8;
  const SampleSchedule samples(std::vector<std::int64_t>(generations, n));
  for (const char* r : {"replace", "accumulate", "grow", "fresh_mix(real_fraction=0.5)", "accumulate_subsample(size=6)",
                        "augment(ratio=0.5)", "keep_real(fraction=0.25)"}) {
    const Regime regime = parse_regime(r);
    for (const auto kernel : {KernelKind::kStatistics, KernelKind::kSample}) {
      const auto whole = run_chain(*sim, regime, kernel, n, generations, 3, 5);
      for (const std::int64_t k : {std::int64_t{1}, std::int64_t{3}}) {
        auto first = sim->chain(regime, kernel, samples, 3, 5);
        std::vector<double> out(sim->metrics().size());
        for (std::int64_t g = 1; g <= k; ++g) first->step(g, out);
        ArchiveWriter w;
        first->save(w);
        first.reset();  // nothing of the first chain survives but its bytes
        auto second = sim->chain(regime, kernel, samples, 3, 5);
        ArchiveReader reader(w.bytes());
        second->load(reader);
        EXPECT_TRUE(reader.at_end()) << r;
        for (std::int64_t g = k + 1; g <= generations; ++g) {
          second->step(g, out);
          EXPECT_TRUE(same_bits(out, whole[static_cast<std::size_t>(g - 1)]))
              << r << " (" << kernel_name(kernel) << " kernel), restored after " << k << ", generation " << g;
        }
      }
    }
  }
}

// The statistics-space kernel and the per-sample reference must agree in distribution: every metric's mean
// (two-sample z test at 4 sigma) and the first metric's distribution (two-sample KS at the 0.1% level), for
// every regime, at generations 2 and 5. Seeds are fixed, so the test is exactly repeatable.
TEST_P(Conformance, StatisticsKernelAgreesWithSampleKernel) {
  const auto sim = make();
  const std::int64_t n = c().small_n;
  const std::size_t reps = 1500;
  const std::vector<std::string> regimes{"replace", "accumulate", "grow", "fresh_mix(real_fraction=0.5)",
                                        "accumulate_subsample(size=" + std::to_string(n - 2) + ")"};
  for (const auto& r : regimes) {
    const Regime regime = parse_regime(r);
    if (!sim->statistics_kernel_supports(regime)) continue;  // both paths would be the sample kernel
    std::map<std::pair<std::int64_t, std::size_t>, std::vector<double>> stats_values, sample_values;
    for (std::size_t rep = 0; rep < reps; ++rep) {
      // Seeds 111/222: with 101/202 (before generation 1 was drawn as samples for families without a statistics
      // subsample) kernel_ridge replace at generation 5 gave KS 2.15 (p ~ 3e-4, one of ~150 such tests); a direct
      // 6000-replicate comparison of the two kernels agreed (z = 0.51 and 0.32 at generations 2 and 5).
      const auto a = run_chain(*sim, regime, KernelKind::kStatistics, n, 5, 111, rep);
      const auto b = run_chain(*sim, regime, KernelKind::kSample, n, 5, 222, rep);
      for (const std::int64_t g : {2, 5})
        for (std::size_t m = 0; m < a[0].size(); ++m) {
          stats_values[{g, m}].push_back(a[static_cast<std::size_t>(g - 1)][m]);
          sample_values[{g, m}].push_back(b[static_cast<std::size_t>(g - 1)][m]);
        }
    }
    for (const auto& [key, xs] : stats_values) {
      const auto& ys = sample_values[key];
      const bool finite = std::all_of(xs.begin(), xs.end(), [](double x) { return std::isfinite(x); }) &&
                          std::all_of(ys.begin(), ys.end(), [](double x) { return std::isfinite(x); });
      const std::string what = r + " generation " + std::to_string(key.first) + " " + sim->metrics()[key.second].name;
      if (finite) {
        EXPECT_LE(testing::z_difference(testing::moments(xs), testing::moments(ys)), 4.0) << what;
      }
      if (key.second == 0) {
        EXPECT_LT(testing::ks_scaled(xs, ys), 1.95) << what;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllFamilies, Conformance, ::testing::ValuesIn(family_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ouro
