// The conformance suite: every registered family must pass these, run through the generic Simulator interface.
// Each family registers its case (example specs, test budget) from its own folder with OUROBOROS_CONFORMANCE_CASE
// (support/conformance.hpp); a family added to the registry without one fails EveryFamilyHasACase.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "ouroboros/core/archive.hpp"
#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/core/spec.hpp"
#include "support/conformance.hpp"
#include "support/stats.hpp"

namespace ouro {
namespace {

using testing::ConformanceCase;
using testing::conformance_cases;

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
  const ConformanceCase& c() const { return conformance_cases().at(GetParam()); }
  std::unique_ptr<Simulator> make() const { return make_simulator(c().truth, c().model); }
};

TEST(ConformanceRegistry, EveryFamilyHasACase) {
  for (const auto& name : family_names()) EXPECT_TRUE(conformance_cases().count(name)) << name << " registers no conformance case in its folder";
}

TEST_P(Conformance, SpecRoundTripBindsTheSameFamily) {
  const auto a = make();
  const auto b = make_simulator(parse_spec(c().truth).to_string(), parse_spec(c().model).to_string());
  EXPECT_EQ(a->describe(), b->describe());
}

// Typed declarations (contract v2) are the single source of a parameter's type, default and range: every parameter is
// typed, its declared default satisfies its own declaration, and writing a default out changes nothing: the family
// built with `key=<declared default>` added describes itself exactly as without it. (A key that does not apply with
// the example's other parameters is refused by the family, and skipped here.)
TEST_P(Conformance, DeclaredDefaultsAreTheDefaults) {
  const FamilyDescriptor* d = Registry::instance().find(GetParam());
  ASSERT_NE(d, nullptr);
  const auto base = make()->describe();
  int checked = 0;
  for (const bool truth_side : {true, false}) {
    const Spec example = parse_spec(truth_side ? c().truth : c().model);
    for (const ParamInfo& p : truth_side ? d->truth_params : d->model_params) {
      EXPECT_NE(p.type, ouro::ParamType::kAny) << p.name << " has an untyped declaration";
      if (!p.words.empty() && !p.default_text.empty()) {
        EXPECT_NE(std::find(p.words.begin(), p.words.end(), p.default_text), p.words.end()) << p.name;
      }
      if (p.default_text.empty()) continue;
      Spec with_default = example;
      if (std::any_of(example.args.begin(), example.args.end(), [&](const auto& a) { return a.first == p.name; }))
        continue;
      with_default.args.emplace_back(p.name, parse_spec("x(v=" + p.default_text + ")").args.front().second);
      std::unique_ptr<Simulator> sim;
      try {
        sim = truth_side ? make_simulator(with_default.to_string(), c().model)
                         : make_simulator(c().truth, with_default.to_string());
      } catch (const UserError& e) {
        EXPECT_NE(std::string(e.what()).find("does not apply"), std::string::npos)
            << p.name << "=" << p.default_text << ": the declared default is refused: " << e.what();
        continue;
      }
      EXPECT_EQ(sim->describe(), base) << p.name << "=" << p.default_text << " is not the default the family uses";
      ++checked;
    }
  }
  RecordProperty("defaults_checked", checked);
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
  // A neural family fits the real training set itself (n = its size): every text metric is then the truth's.
  const std::int64_t n = c().recovery_n > 0 ? c().recovery_n : sim->real_sample_size().value();
  for (const auto kernel : {KernelKind::kStatistics, KernelKind::kSample}) {
    const auto fitted = run_chain(*sim, parse_regime("replace"), kernel, n, 1, 1, 0).front();
    const auto& only = c().recovery_metrics;
    for (std::size_t m = 0; m < truth.size(); ++m) {
      if (!std::isfinite(truth[m])) continue;
      if (!only.empty() && std::find(only.begin(), only.end(), sim->metrics()[m].name) == only.end()) continue;
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

// output.checkpoints: the model a chain saves after a step, read back through the simulator, gives the metrics the
// step reported, bit for bit, in either kernel; samples drawn from it come as one line each (or the family says its
// samples have no text form). A family that cannot be checkpointed refuses both.
TEST_P(Conformance, SavedModelGivesTheRecordedMetrics) {
  const auto sim = make();
  const SampleSchedule samples(std::vector<std::int64_t>(3, 8));
  if (!sim->checkpointable()) {
    auto chain = sim->chain(parse_regime("replace"), KernelKind::kSample, samples, 1, 0);
    ArchiveWriter w;
    EXPECT_THROW(chain->save_model(w), std::logic_error);
    std::vector<double> out(sim->metrics().size());
    EXPECT_THROW(sim->saved_model_metrics("", out), UserError);
    GTEST_SKIP() << GetParam() << " declares no checkpoints";
  }
  for (const char* r : {"replace", "accumulate"})
    for (const auto kernel : {KernelKind::kStatistics, KernelKind::kSample}) {
      auto chain = sim->chain(parse_regime(r), kernel, samples, 2, 1);
      std::vector<double> out(sim->metrics().size()), read(sim->metrics().size());
      for (std::int64_t g = 1; g <= 3; ++g) {
        chain->step(g, out);
        ArchiveWriter w;
        chain->save_model(w);
        sim->saved_model_metrics(w.bytes(), read);
        EXPECT_TRUE(same_bits(read, out)) << r << " (" << kernel_name(kernel) << " kernel), generation " << g;
        try {
          EXPECT_EQ(sim->saved_model_samples(w.bytes(), 5, 1).size(), 5u);
        } catch (const UserError& e) {
          EXPECT_NE(std::string(e.what()).find("have no text form"), std::string::npos) << e.what();
        }
      }
      EXPECT_THROW(sim->saved_model_metrics(std::string(3, 'x'), read), UserError);
    }
}

// The statistics-space kernel and the per-sample reference must agree in distribution: every metric's mean
// (two-sample z test at 4 sigma) and the first metric's distribution (two-sample KS at the 0.1% level), for
// every regime, at generations 2 and 5. Seeds are fixed, so the test is exactly repeatable.
TEST_P(Conformance, StatisticsKernelAgreesWithSampleKernel) {
  const auto sim = make();
  const std::int64_t n = c().small_n;
  const std::size_t reps = c().kernel_replicates;
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
