// The two schedulers of DESIGN.md (Engine v2) give identical records, and a replicate-major unit interrupted at
// any generation resumes from its checkpoints with identical records: summary rows, trajectories and forgetting,
// bit for bit, under every thread count and checkpoint interval.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>

#include "ouroboros/core/error.hpp"
#include "support/collect.hpp"

namespace ouro {
namespace {

using testing::experiment_toml;
using testing::run_toml;

bool same_bits(double u, double v) { return std::memcmp(&u, &v, sizeof u) == 0; }

// Every summary row equal bit for bit (all statistics, the theory), and the same trajectories and forgetting.
void expect_same_records(const testing::Run& a, const testing::Run& b, const std::string& what) {
  ASSERT_EQ(a.sink.order, b.sink.order) << what;
  for (const auto& key : a.sink.order) {
    const auto& x = a.sink.rows.at(key);
    const auto& y = b.sink.rows.at(key);
    const auto& s = x.stats;
    const auto& t = y.stats;
    for (const auto& [u, v] : {std::pair{s.mean, t.mean}, {s.sd, t.sd}, {s.se, t.se}, {s.q05, t.q05}, {s.q50, t.q50},
                               {s.q95, t.q95}, {s.ci_lo, t.ci_lo}, {s.ci_hi, t.ci_hi}, {x.theory.mid, y.theory.mid}})
      ASSERT_TRUE(same_bits(u, v)) << what << ": " << std::get<0>(key) << " generation " << std::get<1>(key) << " "
                                   << std::get<2>(key);
    ASSERT_EQ(s.finite, t.finite) << what;
  }
  EXPECT_EQ(a.sink.trajectories, b.sink.trajectories) << what;
  EXPECT_EQ(a.sink.forgotten, b.sink.forgotten) << what;
  ASSERT_EQ(a.report.regimes.size(), b.report.regimes.size());
  for (std::size_t i = 0; i < a.report.regimes.size(); ++i)
    EXPECT_EQ(a.report.regimes[i].stopped_at, b.report.regimes[i].stopped_at) << what;
}

// Checkpoints kept in memory, as a store keeps them across runs.
class MemoryCheckpoints final : public CheckpointStore {
 public:
  void save(const std::string& regime, std::uint64_t replicate, const std::string& bytes) override {
    std::lock_guard lock(mutex_);
    files_[{regime, replicate}] = bytes;
    ++saves;
  }
  std::optional<std::string> load(const std::string& regime, std::uint64_t replicate) const override {
    std::lock_guard lock(mutex_);
    const auto it = files_.find({regime, replicate});
    if (it == files_.end()) return std::nullopt;
    return it->second;
  }
  std::size_t size() const { return files_.size(); }
  std::atomic<int> saves{0};

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::uint64_t>, std::string> files_;
};

struct Case {
  std::string name, toml;
};

// Families with items (forgetting), thresholds and first passages, a statistics kernel, a sample kernel with a
// fit context (gmm init=random and init=previous draw on Stream::kFit and the previous model), a family that
// cannot be checkpointed (ngram: replicate-major restarts it), and experiment.until.
std::vector<Case> setups() {
  const std::string extra = "[metrics]\nthresholds = [\"support < 15\"]\nfirst = [\"support < 12\"]\n"
                            "[output]\ntrajectories = 3\n";
  return {
      {"categorical", experiment_toml("categorical(dist=zipf, m=20, a=1.2, b=1)", "categorical", 12, 7, 30,
                                      "[\"replace\", \"accumulate_subsample(size=20)\", \"fresh_mix(real_fraction=0.3)\"]",
                                      extra)},
      {"gaussian until", experiment_toml("gaussian(mean=0, sd=1)", "gaussian(estimator=mle)", 400, 5, 4, "[\"replace\"]")},
      {"gmm random", experiment_toml("gmm(k=2, d=2, separation=5, sd=1)", "gmm(init=random, max_iter=30)", 4, 5, 40,
                                     "[\"replace\", \"accumulate\"]")},
      {"gmm previous", experiment_toml("gmm(k=2, d=2, separation=5, sd=1)", "gmm(init=previous, max_iter=30)", 4, 5, 40,
                                       "[\"replace\"]")},
      {"ngram", experiment_toml("ngram(corpus=\"" OUROBOROS_SOURCE_DIR "/tests/data/corpus/small\")", "ngram(order=2)", 4,
                                4, 10, "[\"replace\", \"accumulate\"]")},
  };
}

std::vector<std::string> overrides_for(const Case& s, std::vector<std::string> more) {
  if (s.name == "gaussian until") more.push_back("experiment.until=\"sigma < 0.05\"");
  return more;
}

TEST(Schedulers, GenerationAndReplicateMajorGiveIdenticalRecords) {
  for (const auto& s : setups()) {
    const auto reference =
        run_toml(s.toml, overrides_for(s, {"experiment.scheduler=\"generation\"", "experiment.threads=1"}));
    EXPECT_EQ(reference.report.regimes.front().scheduler, "generation");
    for (const char* threads : {"experiment.threads=1", "experiment.threads=2", "experiment.threads=3"}) {
      for (const char* every : {"experiment.checkpoint_every=1", "experiment.checkpoint_every=3"}) {
        MemoryCheckpoints checkpoints;
        RunTuning tuning;
        tuning.checkpoints = &checkpoints;
        const auto other = run_toml(s.toml, overrides_for(s, {"experiment.scheduler=\"replicate\"", threads, every}), tuning);
        EXPECT_EQ(other.report.regimes.front().scheduler, "replicate");
        expect_same_records(reference, other, s.name + " " + threads + " " + every);
      }
    }
  }
}

// experiment.until stops the gaussian run early under both schedulers at the same generation.
TEST(Schedulers, UntilStopsAtTheSameGenerationUnderBoth) {
  const Case s = setups()[1];
  const auto a = run_toml(s.toml, overrides_for(s, {"experiment.scheduler=\"generation\""}));
  const auto b = run_toml(s.toml, overrides_for(s, {"experiment.scheduler=\"replicate\""}));
  ASSERT_GT(a.report.regimes.front().stopped_at, 0);
  ASSERT_LT(a.report.regimes.front().stopped_at, 400);
  EXPECT_EQ(a.report.regimes.front().stopped_at, b.report.regimes.front().stopped_at);
}

// Interrupts a replicate-major run after `polls` cancel polls, then resumes it with the same checkpoints.
testing::Run interrupted_then_resumed(const Case& s, int polls, const std::vector<std::string>& more,
                                      MemoryCheckpoints& checkpoints, bool& was_interrupted) {
  auto overrides = overrides_for(s, more);
  overrides.push_back("experiment.scheduler=\"replicate\"");
  std::atomic<int> count{0};
  RunTuning first;
  first.checkpoints = &checkpoints;
  first.cancel = CancelToken([&] { return ++count > polls; });
  was_interrupted = false;
  try {
    run_toml(s.toml, overrides, first);
  } catch (const RunCancelled&) {
    was_interrupted = true;
  }
  RunTuning second;
  second.checkpoints = &checkpoints;
  return run_toml(s.toml, overrides, second);
}

TEST(Schedulers, AnInterruptedReplicateMajorRunResumesFromItsCheckpointsIdentically) {
  for (const auto& s : setups()) {
    const auto reference = run_toml(s.toml, overrides_for(s, {"experiment.scheduler=\"generation\""}));
    for (const int polls : {0, 3, 11, 25}) {
      for (const char* threads : {"experiment.threads=1", "experiment.threads=2"}) {
        MemoryCheckpoints checkpoints;
        bool was_interrupted = false;
        const auto resumed =
            interrupted_then_resumed(s, polls, {threads, "experiment.checkpoint_every=2"}, checkpoints, was_interrupted);
        const std::string what = s.name + " interrupted after " + std::to_string(polls) + " polls, " + threads;
        expect_same_records(reference, resumed, what);
        // The cancel is polled once per generation and replicate, so short budgets always interrupt.
        if (polls <= 3) {
          EXPECT_TRUE(was_interrupted) << what;
        }
        if (s.name != "ngram" && polls > 0 && was_interrupted) {
          EXPECT_GT(checkpoints.size(), 0u) << what;
        }
        if (s.name == "ngram") {
          EXPECT_EQ(checkpoints.size(), 0u) << "ngram cannot be checkpointed";
        }
      }
    }
  }
}

// A resumed chain starts after its checkpoint: fewer generations are computed the second time.
TEST(Schedulers, ResumedChainsDoNotRecomputeCheckpointedGenerations) {
  const Case s = setups()[0];
  MemoryCheckpoints checkpoints;
  std::atomic<int> count{0};
  RunTuning first;
  first.checkpoints = &checkpoints;
  first.cancel = CancelToken([&] { return ++count > 40; });
  const auto overrides = std::vector<std::string>{"experiment.scheduler=\"replicate\"", "experiment.threads=1",
                                                  "experiment.regimes=[\"replace\"]", "experiment.checkpoint_every=1"};
  EXPECT_THROW(run_toml(s.toml, overrides, first), RunCancelled);
  const int saved_first = checkpoints.saves;
  EXPECT_EQ(saved_first, 40);  // one checkpoint per generation computed before the 41st poll
  RunTuning second;
  second.checkpoints = &checkpoints;
  run_toml(s.toml, overrides, second);
  // 7 replicates x 12 generations in all: the resumed run computes (and saves) only the other 44.
  EXPECT_EQ(checkpoints.saves - saved_first, 7 * 12 - 40);
}

// A checkpoint from another unit (another seed) is refused, not silently restored.
TEST(Schedulers, ACheckpointOfAnotherSeedIsRefused) {
  const Case s = setups()[0];
  MemoryCheckpoints checkpoints;
  RunTuning tuning;
  tuning.checkpoints = &checkpoints;
  const std::vector<std::string> base{"experiment.scheduler=\"replicate\"", "experiment.regimes=[\"replace\"]"};
  auto first = base;
  first.push_back("experiment.seed=8");
  std::atomic<int> count{0};
  tuning.cancel = CancelToken([&] { return ++count > 5; });
  EXPECT_THROW(run_toml(s.toml, first, tuning), RunCancelled);
  tuning.cancel = CancelToken();
  EXPECT_THROW(run_toml(s.toml, base, tuning), std::runtime_error);
}

std::string user_error(const std::string& toml, const std::string& assignment) {
  try {
    run_toml(toml, {assignment});
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(Schedulers, BadSchedulerKeysAreRefused) {
  const Case s = setups()[0];
  EXPECT_EQ(user_error(s.toml, "experiment.scheduler=\"fast\""),
            "experiment.scheduler = \"fast\": must be \"auto\", \"generation\" or \"replicate\"");
  EXPECT_EQ(user_error(s.toml, "experiment.checkpoint_every=-1"),
            "experiment.checkpoint_every = -1: must be an integer >= 0");
}

}  // namespace
}  // namespace ouro
