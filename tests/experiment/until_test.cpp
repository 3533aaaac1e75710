// experiment.until: the run stops at the first generation where the event holds in every replicate, whatever
// the cut of generations into blocks; G is a cap; the truth satisfying the event stops at generation 0.
#include <gtest/gtest.h>

#include "ouroboros/core/error.hpp"
#include "support/collect.hpp"

namespace ouro {
namespace {

const std::string kUniform =
    "[experiment]\ngenerations = 100000\nreplicates = 40\nseed = 2\nsamples = 10\nuntil = \"support <= 1\"\n"
    "regimes = [\"replace\", \"accumulate\"]\n[truth]\nfamily = \"categorical(dist=uniform, m=10)\"\n"
    "[model]\nfamily = \"categorical\"\n[output]\nforgetting = false\n";

TEST(Until, StopsWhereEveryReplicateHasOneSymbolLeft) {
  const auto run = testing::run_toml(kUniform, {"experiment.regimes=[\"replace\"]"});
  const std::int64_t stop = run.report.regimes.front().stopped_at;
  ASSERT_GT(stop, 1);
  ASSERT_LT(stop, 100000);
  const auto& last = run.sink.at("replace", stop, "support");
  EXPECT_EQ(last.stats.mean, 1.0);
  EXPECT_EQ(last.stats.q95, 1.0);
  EXPECT_GT(run.sink.at("replace", stop - 1, "support").stats.mean, 1.0) << "the first such generation";
  EXPECT_EQ(run.sink.rows.count({"replace", stop + 1, "support"}), 0u) << "nothing is recorded past the stop";
}

TEST(Until, RecordsDoNotDependOnTheBlockSize) {
  const std::vector<std::string> replace{"experiment.regimes=[\"replace\"]"};
  const auto a = testing::run_toml(kUniform, replace);
  RunTuning tiny;
  tiny.block_bytes = 1;  // one generation per block
  const auto b = testing::run_toml(kUniform, replace, tiny);
  ASSERT_EQ(a.sink.order, b.sink.order);
  for (const auto& key : a.sink.order) {
    const auto& x = a.sink.rows.at(key).stats;
    const auto& y = b.sink.rows.at(key).stats;
    EXPECT_EQ(x.mean, y.mean);
    EXPECT_EQ(x.q50, y.q50);
  }
  EXPECT_EQ(a.report.regimes[0].stopped_at, b.report.regimes[0].stopped_at);
  // Under accumulate the real batch stays in the pool: one symbol is never all that is left, so G caps it.
  const auto capped = testing::run_toml(kUniform, {"experiment.generations=50", "experiment.regimes=[\"accumulate\"]"});
  EXPECT_EQ(capped.report.regimes[0].stopped_at, -1);
  EXPECT_EQ(capped.sink.rows.count({"accumulate", 50, "support"}), 1u);
}

TEST(Until, TruthSatisfyingTheEventStopsAtZero) {
  const auto run = testing::run_toml(kUniform, {"experiment.until=\"support <= 10\"", "experiment.regimes=[\"replace\"]"});
  EXPECT_EQ(run.report.regimes[0].stopped_at, 0);
  EXPECT_EQ(run.sink.rows.count({"replace", 0, "support"}), 1u);
  EXPECT_EQ(run.sink.rows.count({"replace", 1, "support"}), 0u);
}

TEST(Until, UnknownMetricIsBadInput) {
  try {
    testing::run_toml(kUniform, {"experiment.until=\"suport <= 1\""});
    ADD_FAILURE() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("experiment.until"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("suport"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ouro
