// Contract v2 fixed points: a chain skips a fixed model's draws and fit under replace and grow, and nothing it
// reports changes. The categorical family is run as registered (it declares is_fixed_point: one symbol left under
// the MLE) and as a subclass that hides the declaration; both count their fits. The two give the same metrics bit
// for bit in every regime and kernel, and the declaring one fits fewer times exactly where a fixed point can exist.
#include <gtest/gtest.h>

#include <cstring>

#include "ouroboros/core/spec.hpp"
#include "ouroboros/engine/simulator_for.hpp"
#include "ouroboros/families/categorical/categorical.hpp"

namespace ouro {
namespace {

template <bool kDeclares>
class Counted : public CategoricalFamily {
 public:
  Counted(const std::string& truth, const std::string& model, std::int64_t* fits)
      : CategoricalFamily(parse_spec(truth), parse_spec(model)), fits_(fits) {}
  void fit_samples(std::span<const Sample> xs, Model& out) const {
    ++*fits_;
    CategoricalFamily::fit_samples(xs, out);
  }
  void fit_stats(const Stats& s, Model& out) const {
    ++*fits_;
    CategoricalFamily::fit_stats(s, out);
  }
  bool is_fixed_point(const Model& m) const
    requires kDeclares
  {
    return CategoricalFamily::is_fixed_point(m);
  }

 private:
  std::int64_t* fits_;
};
static_assert(HasFixedPoint<Counted<true>>);
static_assert(!HasFixedPoint<Counted<false>>);

std::vector<double> run(const Simulator& sim, const Regime& regime, KernelKind kernel, std::uint64_t replicate) {
  const std::int64_t generations = 40;
  const SampleSchedule samples(std::vector<std::int64_t>(generations, 4));
  auto chain = sim.chain(regime, kernel, samples, 7, replicate);
  std::vector<double> all, out(sim.metrics().size());
  for (std::int64_t g = 1; g <= generations; ++g) {
    chain->step(g, out);
    all.insert(all.end(), out.begin(), out.end());
  }
  return all;
}

void compare(const std::string& model, bool expect_skips) {
  const std::string truth = "categorical(p=[0.5, 0.3, 0.2])";
  for (const char* r : {"replace", "grow", "accumulate", "fresh_mix(real_fraction=0.25)"}) {
    const Regime regime = parse_regime(r);
    const bool can_skip = expect_skips && (regime.kind == RegimeKind::kReplace || regime.kind == RegimeKind::kGrow);
    for (const auto kernel : {KernelKind::kStatistics, KernelKind::kSample}) {
      std::int64_t skipping_fits = 0, plain_fits = 0;
      const SimulatorFor<Counted<true>> skipping{Counted<true>(truth, model, &skipping_fits)};
      const SimulatorFor<Counted<false>> plain{Counted<false>(truth, model, &plain_fits)};
      for (std::uint64_t rep = 0; rep < 30; ++rep) {
        const auto a = run(skipping, regime, kernel, rep), b = run(plain, regime, kernel, rep);
        ASSERT_EQ(a.size(), b.size());
        EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)), 0)
            << model << ", " << r << ", " << kernel_name(kernel) << " kernel, replicate " << rep;
      }
      EXPECT_EQ(plain_fits, 30 * 40);
      if (can_skip) {
        // With n = 4 and three symbols, most chains are down to one symbol within a few generations under replace
        // (grow's batches grow, k n at generation k, and fix later).
        EXPECT_LT(skipping_fits, regime.kind == RegimeKind::kReplace ? plain_fits / 2 : plain_fits)
            << r << ", " << kernel_name(kernel) << " kernel";
      } else {
        EXPECT_EQ(skipping_fits, plain_fits) << model << ", " << r << ", " << kernel_name(kernel) << " kernel";
      }
    }
  }
}

TEST(FixedPoint, SkippedExactlyUnderReplaceAndGrowOnly) { compare("categorical", true); }

TEST(FixedPoint, AddConstantHasNone) { compare("categorical(estimator=add_constant, beta=0.5)", false); }

TEST(FixedPoint, DescriptorSaysWhichFamiliesDeclareThem) {
  for (const char* name : {"categorical", "bernoulli", "poisson"}) {
    const FamilyDescriptor* d = Registry::instance().find(name);
    ASSERT_NE(d, nullptr);
    EXPECT_TRUE(d->fixed_points) << name;
  }
  EXPECT_FALSE(Registry::instance().find("gaussian")->fixed_points);
}

}  // namespace
}  // namespace ouro
