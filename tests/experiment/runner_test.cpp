// The runner: how the work is cut (threads, blocks of generations, job layout) never changes a result, and
// the forgetting record agrees exactly with the support trajectory.
#include <gtest/gtest.h>

#include <map>

#include "ouroboros/core/error.hpp"
#include "support/collect.hpp"

namespace ouro {
namespace {

using testing::experiment_toml;
using testing::run_toml;

bool same_rows(const testing::CollectingSink& a, const testing::CollectingSink& b) {
  if (a.order != b.order) return false;
  for (const auto& key : a.order) {
    const auto &x = a.rows.at(key), &y = b.rows.at(key);
    const auto& s = x.stats;
    const auto& t = y.stats;
    const auto same = [](double u, double v) { return u == v || (std::isnan(u) && std::isnan(v)); };
    if (!same(s.mean, t.mean) || !same(s.sd, t.sd) || !same(s.q05, t.q05) || !same(s.q50, t.q50) ||
        !same(s.q95, t.q95) || !same(x.theory.lo, y.theory.lo) || !same(x.theory.hi, y.theory.hi))
      return false;
  }
  return true;
}

TEST(Runner, ResultsIndependentOfThreadsBlocksAndJobLayout) {
  const std::string toml = experiment_toml("categorical(dist=zipf, m=30, a=1, b=1)", "categorical", 40, 25, 20,
                                           "[\"replace\", \"accumulate_subsample(size=15)\", \"fresh_mix(real_fraction=0.3)\"]",
                                           "[metrics]\nthresholds = [\"kl < inf\"]\n[output]\ntrajectories = 7\n");
  const auto reference = run_toml(toml, {"experiment.threads=1"});
  for (const char* threads : {"experiment.threads=2", "experiment.threads=3"}) {
    for (const std::size_t block_bytes : {std::size_t{1}, std::size_t{4000}, std::size_t{1} << 22}) {
      const auto other = run_toml(toml, {threads}, RunTuning{block_bytes});
      EXPECT_TRUE(same_rows(reference.sink, other.sink)) << threads << " block_bytes " << block_bytes;
      EXPECT_EQ(reference.sink.trajectories, other.sink.trajectories) << threads << " block_bytes " << block_bytes;
      EXPECT_EQ(reference.sink.forgotten, other.sink.forgotten) << threads << " block_bytes " << block_bytes;
    }
  }
}

TEST(Runner, ForgettingAgreesWithSupportTrajectory) {
  const auto run = run_toml(experiment_toml("categorical(dist=zipf, m=40, a=1.2, b=0)", "categorical", 30, 12, 25,
                                            "[\"replace\"]", "[output]\ntrajectories = true\n"));
  // support at generation g = m - (symbols forgotten at or before g), replicate by replicate.
  std::map<std::pair<std::int64_t, std::int64_t>, double> support;
  for (const auto& t : run.sink.trajectories)
    if (t.metric == "support") support[{t.replicate, t.generation}] = t.value;
  ASSERT_EQ(run.sink.forgotten.size(), 12u * 40u);
  for (std::int64_t r = 0; r < 12; ++r)
    for (std::int64_t g = 0; g <= 30; ++g) {
      int forgotten = 0;
      for (const auto& f : run.sink.forgotten)
        if (f.replicate == r && f.forgotten_at > 0 && f.forgotten_at <= g) ++forgotten;
      EXPECT_EQ(support.at({r, g}), 40 - forgotten) << "replicate " << r << " generation " << g;
    }
  // A symbol absent from the real batch is forgotten at generation 1; one present is not.
  for (const auto& f : run.sink.forgotten) EXPECT_EQ(f.original_count == 0, f.forgotten_at == 1) << f.item;
}

TEST(Runner, SelectedMetricsAreTheOnlyOnesRecordedAndAreUnchanged) {
  const std::string toml = experiment_toml("gaussian", "gaussian(estimator=unbiased)", 8, 30, 6, "[\"replace\"]",
                                           "[metrics]\nthresholds = [\"kl > 1\"]\n[output]\ntrajectories = true\n");
  const auto all = run_toml(toml);
  const auto some = run_toml(toml, {"metrics.select=[\"sigma\", \"mean\"]"});
  EXPECT_EQ(some.report.metrics, (std::vector<std::string>{"mean", "sigma", "kl>1"})) << "family order, then thresholds";
  for (const auto& [key, row] : some.sink.rows) {
    const auto& other = all.sink.rows.at(key);
    EXPECT_EQ(row.stats.mean, other.stats.mean);
    EXPECT_EQ(row.stats.q50, other.stats.q50);
  }
  EXPECT_EQ(some.sink.rows.size(), 9u * 3u);
  EXPECT_EQ(some.sink.trajectories.size(), 9u * 30u * 3u);
  try {
    run_toml(toml, {"metrics.select=[\"sigmaa\"]"});
    ADD_FAILURE() << "unknown metric accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("metrics.select: unknown metric 'sigmaa'"), std::string::npos) << e.what();
  }
}

TEST(Runner, GenerationZeroIsTheTruth) {
  const auto run = run_toml(experiment_toml("poisson(lambda=3)", "poisson", 2, 5, 4, "[\"replace\"]"));
  const auto& row = run.sink.at("replace", 0, "lambda");
  EXPECT_EQ(row.stats.mean, 3.0);
  EXPECT_EQ(row.stats.sd, 0.0);
  EXPECT_EQ(row.stats.q05, 3.0);
}

}  // namespace
}  // namespace ouro
