// bs_spike: the exact MLE against a brute-force search, exact sampling, and the collapse at round 2 against
// its conditional probability and the derived lower bound.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "ouroboros/core/error.hpp"
#include "ouroboros/families/bs_spike/bs_spike.hpp"
#include "support/collect.hpp"
#include "support/stats.hpp"

namespace ouro {
namespace {

// A small decay so that the spike's width changes inside [1/10, 1/4] and the K candidates matter.
TEST(BsSpike, ExactMleBeatsABruteForceSearch) {
  const BsSpikeFamily f(parse_spec("bs_spike"), parse_spec("bs_spike(decay=40)"));
  Rng rng(5, 0, 1, Stream::kSynthetic);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<double> xs;
    const int na = 3 + static_cast<int>(rng() % 25), nb = static_cast<int>(rng() % 5);
    for (int i = 0; i < na; ++i) xs.push_back(rng.uniform());
    for (int i = 0; i < nb; ++i) {
      // Clustered points in [2,3], so that windows of different widths cover different numbers of them.
      const double base = 2 + 0.5 * rng.uniform();
      xs.push_back(base + (i % 2 ? 0.0 : 0.02 * rng.uniform()));
    }
    BsSpikeFamily::Model fit;
    f.fit_samples(xs, fit);
    ASSERT_GE(fit.alpha, 0);
    ASSERT_LE(fit.alpha, 0.25);
    const double fitted = f.log_likelihood(fit.alpha, fit.mu, xs);
    double brute = -INFINITY;
    std::vector<double> starts{2.0};
    for (const double x : xs)
      if (x >= 2) starts.push_back(x);
    for (int g = 0; g <= 5000; ++g) {
      const double alpha = 0.25 * g / 5000;
      for (const double mu : starts) {
        const double top = 3 - std::exp(f.log_f(alpha));
        brute = std::max(brute, f.log_likelihood(alpha, std::min(mu, top), xs));
      }
    }
    EXPECT_GE(fitted, brute - 1e-9) << "trial " << trial << ": alpha " << fit.alpha;
  }
}

TEST(BsSpike, SamplingPutsAlphaOverTwoInTwoToThree) {
  const BsSpikeFamily f(parse_spec("bs_spike"), parse_spec("bs_spike"));
  const BsSpikeFamily::Model m{0.2, 2.5, f.log_f(0.2)};
  Rng rng(1, 0, 1, Stream::kSynthetic);
  std::vector<double> xs;
  f.sample(m, 400000, rng, xs);
  std::vector<double> in_b, in_spike, below;
  for (const double x : xs) {
    in_b.push_back(x >= 2 && x <= 3);
    in_spike.push_back(x == m.mu);  // f underflows at alpha = 0.2 with the default decay
    below.push_back(x <= 1 - 2 * m.alpha);
  }
  const auto b = testing::moments(in_b), s = testing::moments(in_spike), l = testing::moments(below);
  EXPECT_NEAR(b.mean, 0.1, 4 * b.se);
  EXPECT_NEAR(s.mean, 0.05, 4 * s.se);
  EXPECT_NEAR(l.mean, 0.5 * 0.6 + 0.4, 4 * l.se) << "1/2 U[0,1] below 0.6 plus the (1-alpha)/2 part";
}

// Collapse at round 2 happens exactly when a synthetic sample lands in [2,3]: given the round-1 fit its
// probability is 1 - (1 - alpha_1/2)^n. The replicates' average of that conditional probability and the
// observed collapse frequency estimate the same number; both sit above the derived lower bound.
TEST(BsSpike, CollapseAtRoundTwoMatchesItsConditionalProbability) {
  const std::int64_t n = 50, reps = 20000;
  for (const char* regime : {"replace", "accumulate"}) {
    const auto run = testing::run_toml(testing::experiment_toml(
        "bs_spike", "bs_spike", 2, reps, n, std::string("[\"") + regime + "\"]", "[output]\ntrajectories = true\n"));
    std::map<std::int64_t, double> alpha1;
    std::vector<double> conditional, collapsed;
    for (const auto& t : run.sink.trajectories)
      if (t.metric == "tv" && t.generation == 1) alpha1[t.replicate] = t.value;
    for (const auto& t : run.sink.trajectories)
      if (t.metric == "collapsed" && t.generation == 2) {
        collapsed.push_back(t.value);
        conditional.push_back(1 - std::pow(1 - alpha1.at(t.replicate) / 2, static_cast<double>(n)));
      }
    const auto c = testing::moments(collapsed), p = testing::moments(conditional);
    EXPECT_LE(testing::z_difference(c, p), 4.0) << regime << ": observed " << c.mean << ", expected " << p.mean;
    const auto& row = run.sink.at(regime, 2, "collapsed");
    ASSERT_FALSE(std::isnan(row.theory.lo));
    EXPECT_GE(row.stats.mean, row.theory.lo - 4 * row.stats.se) << regime;
    EXPECT_GE(run.sink.at(regime, 1, "tv").stats.mean, run.sink.at(regime, 1, "tv").theory.lo - 4 * c.se);
  }
  EXPECT_NEAR(bs_spike_collapse_lower_bound(100000), 0.2, 1e-4) << "E[1 - exp(-E/4)] = 1/5 for large n";
}

TEST(BsSpike, BadInput) {
  const auto message = [](const std::string& model) {
    try {
      make_simulator("bs_spike", model);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message("bs_spike(width=0)").find("must be in (0, 1]"), std::string::npos);
  EXPECT_NE(message("bs_spike(width=2)").find("must be in (0, 1]"), std::string::npos);
  EXPECT_NE(message("bs_spike(decay=-1)").find("must be >= 0"), std::string::npos);
  EXPECT_NE(message("bs_spike(alpha=0.1)").find("unknown parameter 'alpha'"), std::string::npos);
}

}  // namespace
}  // namespace ouro
