// The regimes of the image papers (augment, accumulate(ratio), keep_real) and the weighted fresh mix: their
// training sets are composed as documented (the Gaussian mean with known variance is an exact linear recursion
// over the mix, so its mean squared error checks every pool size and weight), on both kernels and with a
// per-generation schedule; generation 1 is the same in every regime of a replicate whichever kernel runs it; the
// golden-ratio optimum; bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ouroboros/core/error.hpp"
#include "ouroboros/experiment/config.hpp"
#include "ouroboros/theory/mixing.hpp"
#include "support/collect.hpp"

namespace ouro {
namespace {

const char* kSchedule = "[20, 10, 30, 15, 25, 40, 10, 20]";

std::string gaussian_known_variance(const std::string& regimes, const std::string& kernel, std::int64_t reps) {
  return "[experiment]\ngenerations = 8\nreplicates = " + std::to_string(reps) + "\nseed = 3\nsamples = " + kSchedule +
         "\nregimes = " + regimes + "\nkernel = \"" + kernel +
         "\"\n[truth]\nfamily = \"gaussian(mean=1, sd=2)\"\n[model]\nfamily = \"gaussian(known=variance)\"\n"
         "[metrics]\nselect = [\"mean_sq_error\", \"mean\"]\n";
}

TEST(MixingRegimes, MeanSquaredErrorFollowsTheExactRecursionOnBothKernels) {
  const std::vector<std::string> regimes{"augment(ratio=0.5)", "accumulate(ratio=2)", "keep_real(fraction=0.3)",
                                         "fresh_mix(real_fraction=0.5, real_weight=0.8)", "fresh_mix(real_fraction=0.3)",
                                         "grow"};
  std::string list = "[";
  for (const auto& r : regimes) list += (list.size() > 1 ? ", \"" : "\"") + r + "\"";
  list += "]";
  for (const char* kernel : {"statistics", "sample"}) {
    const auto run = testing::run_toml(gaussian_known_variance(list, kernel, 4000));
    for (const auto& r : regimes)
      for (const std::int64_t k : {1, 2, 4, 8}) {
        const auto& row = run.sink.at(r, k, "mean_sq_error");
        ASSERT_FALSE(std::isnan(row.theory.mid)) << r << " k=" << k;
        EXPECT_EQ(row.theory.kind, TheoryKind::kExact);
        EXPECT_NEAR(row.stats.mean, row.theory.mid, 4 * row.stats.se) << kernel << " " << r << " k=" << k;
        const auto& mean = run.sink.at(r, k, "mean");
        EXPECT_NEAR(mean.stats.mean, 1.0, 4 * mean.stats.se) << kernel << " " << r << " k=" << k;
      }
  }
}

// Hand-derived values of the recursion: accumulate(ratio=1) is the pi^2/6 law, augment with ratio 0 keeps the real
// batch alone, keep_real(fraction=1) with n_k = n_1 refits the real batch every generation.
TEST(MixingRegimes, RecursionReducesToKnownCases) {
  const double s2 = 4, n = 10;
  std::vector<theory::MeanMixStep> acc;
  double pool = n, expected = 1 / n;
  for (int k = 2; k <= 6; ++k) {
    pool += n;
    acc.push_back({1, 0, n * s2 / (pool * pool)});
    expected += 1 / (n * k * k);
  }
  EXPECT_NEAR(theory::mixed_mean_mse(s2, n, acc), s2 * expected, 1e-15);
  const std::vector<theory::MeanMixStep> real_only(5, {0, 1, 0});
  EXPECT_DOUBLE_EQ(theory::mixed_mean_mse(s2, n, real_only), s2 / n);
}

TEST(MixingRegimes, GoldenRatioMinimisesTheStationaryErrorOfTheWeightedMix) {
  double best = 0, best_v = INFINITY;
  for (int i = 1; i < 100000; ++i) {
    const double a = i / 100000.0, v = theory::weighted_mix_stationary(1, a, 50, 50);
    if (v < best_v) best_v = v, best = a;
  }
  EXPECT_NEAR(best, theory::golden_weight(), 1e-5);
  EXPECT_NEAR(theory::golden_weight(), 0.6180339887, 1e-10);
  // The simulated chain settles there: r = s = 10, w = alpha = 0.618, 60 generations.
  const auto run = testing::run_toml(
      "[experiment]\ngenerations = 60\nreplicates = 4000\nsamples = 20\nregimes = "
      "[\"fresh_mix(real_fraction=0.5, real_weight=0.6180339887)\"]\n[truth]\nfamily = \"gaussian\"\n"
      "[model]\nfamily = \"gaussian(known=variance)\"\n");
  const auto& row = run.sink.at("fresh_mix(real_fraction=0.5, real_weight=0.6180339887)", 60, "mean_sq_error");
  EXPECT_NEAR(row.theory.mid, theory::weighted_mix_stationary(1, 0.6180339887, 10, 10), 1e-12);
  EXPECT_NEAR(row.stats.mean, row.theory.mid, 4 * row.stats.se);
}

// real_weight = 1/2 gives every sample weight 1: the unweighted fresh mix, replicate by replicate.
TEST(MixingRegimes, HalfWeightIsTheUnweightedFit) {
  for (const char* family : {"gaussian", "categorical(dist=zipf, m=30)", "bernoulli(p=0.3)", "poisson(lambda=2)",
                             "linear_regression(d=3, w=[1, -0.5, 0.25])"}) {
    const std::string model = std::string(family).substr(0, std::string(family).find('('));
    const auto run = testing::run_toml(
        testing::experiment_toml(family, model, 6, 50, 20,
                                 "[\"fresh_mix(real_fraction=0.4)\", \"fresh_mix(real_fraction=0.4, real_weight=0.5)\"]",
                                 "[output]\ntrajectories = true\n"));
    const auto& t = run.sink.trajectories;
    std::size_t compared = 0;
    for (const auto& a : t) {
      if (a.regime != "fresh_mix(real_fraction=0.4)") continue;
      for (const auto& b : t)
        if (b.regime != a.regime && b.replicate == a.replicate && b.generation == a.generation && b.metric == a.metric) {
          if (std::isfinite(a.value)) {
            EXPECT_NEAR(a.value, b.value, 1e-12 * (1 + std::abs(a.value))) << family;
          }
          ++compared;
        }
    }
    EXPECT_GT(compared, 0u) << family;
  }
}

// Generation 1 is fitted on the same real batch in every regime, also when some regimes fall back to the sample
// kernel (multivariate_gaussian has no statistics-space subsample) and when all run on statistics (categorical).
TEST(MixingRegimes, GenerationOneIsSharedAcrossRegimesAndKernels) {
  const std::vector<std::pair<std::string, std::string>> families{
      {"multivariate_gaussian(d=3, correlation=0.3)", "multivariate_gaussian"},
      {"categorical(dist=zipf, m=40)", "categorical"},
      {"gaussian(mean=1, sd=2)", "gaussian"},
      {"exponential(rate=2)", "exponential"}};
  for (const auto& [truth, model] : families) {
    const auto run = testing::run_toml(testing::experiment_toml(
        truth, model, 2, 30, 20,
        "[\"accumulate\", \"accumulate_subsample(size=15)\", \"keep_real(fraction=0.5)\", \"augment(ratio=2)\", "
        "\"replace\"]",
        "[output]\ntrajectories = true\n"));
    std::size_t compared = 0;
    for (const auto& a : run.sink.trajectories) {
      if (a.regime != "accumulate" || a.generation != 1) continue;
      for (const auto& b : run.sink.trajectories)
        if (b.generation == 1 && b.replicate == a.replicate && b.metric == a.metric && b.regime != a.regime) {
          if (a.value != b.value) {  // equal infinities (kl of a forgotten symbol) compare equal here
            EXPECT_NEAR(a.value, b.value, 1e-12 * (1 + std::abs(a.value))) << truth << " " << b.regime << " " << a.metric;
          }
          ++compared;
        }
    }
    EXPECT_GT(compared, 0u);
    EXPECT_EQ(run.report.regimes[1].kernel, model == "categorical" ? KernelKind::kStatistics : KernelKind::kSample)
        << truth;
  }
}

TEST(MixingRegimes, BadInput) {
  const auto error = [](const std::string& regime, const std::string& family = "gaussian") {
    try {
      testing::run_toml(testing::experiment_toml(family, family, 3, 5, 10, "[\"" + regime + "\"]"));
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error("keep_real(fraction=0.5)", "gaussian").find("no error"), std::string::npos);
  EXPECT_NE(error("augment(ratio=-1)").find("'ratio=-1' must be >= 0"), std::string::npos);
  EXPECT_NE(error("keep_real(fraction=2)").find("must be in [0, 1]"), std::string::npos);
  EXPECT_NE(error("fresh_mix(real_fraction=0.5, real_weight=0.7)", "kde").find("cannot carry weights"),
            std::string::npos);
  EXPECT_NE(error("fresh_mix(real_fraction=0.5, real_weight=1.5)").find("real_weight=1.5"), std::string::npos);
  // keep_real cannot keep more than the real batch holds: n_1 = 10, n_2 = 40, fraction 0.5 keeps 20.
  try {
    testing::run_toml("[experiment]\ngenerations = 2\nsamples = [10, 40]\nregimes = [\"keep_real(fraction=0.5)\"]\n"
                      "[truth]\nfamily = \"gaussian\"\n[model]\nfamily = \"gaussian\"\n");
    ADD_FAILURE() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("keeps 20 real samples at generation 2, more than the 10"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(parse_regime("accumulate(ratio=1)").name(), "accumulate");
  for (const char* name : {"gaussian", "categorical", "bernoulli", "poisson", "linear_regression"})
    EXPECT_TRUE(Registry::instance().find(name)->weighted_fit) << name;
  EXPECT_FALSE(Registry::instance().find("kde")->weighted_fit);
  EXPECT_EQ(parse_regime("accumulate(ratio=0.5)").kind, RegimeKind::kAccumulateRatio);
}

}  // namespace
}  // namespace ouro
