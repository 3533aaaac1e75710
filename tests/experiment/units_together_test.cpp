// Units of a point side by side (plan_runner.hpp's units_at_once): replicate-major units whose replicates leave
// threads idle run at once, each on its share of the threads, and the files equal those of the same plan run one
// unit after another, byte for byte, also after a cancelled run is resumed.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "ouroboros/core/error.hpp"
#include "ouroboros/experiment/plan_runner.hpp"
#include "ouroboros/io/run_directory.hpp"
#include "support/files.hpp"

namespace ouro {
namespace {

namespace fs = std::filesystem;

using testing::slurp;

// One replicate per unit, three regimes, replicate-major, with trajectories and (categorical) forgetting records.
const char* kPlan =
    "[experiment]\ngenerations = 30\nreplicates = 1\nseed = 4\nsamples = 30\nscheduler = \"replicate\"\n"
    "regimes = [\"replace\", \"accumulate\", \"accumulate_subsample(size=30)\"]\n[truth]\nfamily = \"gaussian\"\n"
    "[model]\nfamily = \"gaussian\"\n[output]\ntrajectories = 1\n[sweep]\n"
    "\"truth.family\" = [\"gaussian(sd=2)\", \"categorical(dist=zipf, m=30, a=1.1)\"]\n"
    "\"model.family\" = [\"gaussian(estimator=unbiased)\", \"categorical\"]\n"
    "zip = [[\"truth.family\", \"model.family\"]]\n";

class UnitsTogether : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ouroboros_together_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  Plan plan_in(const std::string& name, int threads) {
    Plan plan = parse_plan(kPlan, "together.toml", {});
    override_output(plan, (dir_ / name).string(), threads);
    return plan;
  }
  fs::path dir_;
};

TEST_F(UnitsTogether, HowManyRunAtOnce) {
  const Plan plan = plan_in("p", 1);
  ExperimentConfig config = plan.points[0].config;
  auto simulator = bind_point(config, plan.points[0], true);
  const auto at_once = [&](int threads, std::int64_t replicates, SchedulerKind scheduler, std::size_t pending) {
    ExperimentConfig c = config;
    c.threads = static_cast<unsigned>(threads);
    c.replicates = replicates;
    c.scheduler = scheduler;
    return units_at_once(c, *simulator, pending);
  };
  EXPECT_EQ(at_once(1, 1, SchedulerKind::kReplicate, 3), 1u);   // one thread
  EXPECT_EQ(at_once(2, 1, SchedulerKind::kReplicate, 3), 2u);   // two threads, one replicate each
  EXPECT_EQ(at_once(4, 1, SchedulerKind::kReplicate, 3), 3u);   // no more than the pending units
  EXPECT_EQ(at_once(4, 2, SchedulerKind::kReplicate, 3), 2u);   // replicates fill 2 of 4 threads
  EXPECT_EQ(at_once(2, 2, SchedulerKind::kReplicate, 3), 1u);   // replicates fill the threads
  EXPECT_EQ(at_once(2, 1, SchedulerKind::kReplicate, 1), 1u);   // one unit left
  EXPECT_EQ(at_once(2, 1, SchedulerKind::kGeneration, 3), 1u);  // generation-major streams its rows
  EXPECT_EQ(at_once(2, 1, SchedulerKind::kAuto, 3), 1u);        // a cheap family runs generation-major
}

TEST_F(UnitsTogether, SideBySideUnitsWriteTheSequentialFiles) {
  run_to_directory(plan_in("one", 1), {});
  for (const int threads : {2, 3}) {
    const std::string name = "threads" + std::to_string(threads);
    const auto report = run_to_directory(plan_in(name, threads), {});
    EXPECT_EQ(report.units_run, 6u);
    for (const char* f : {"summary.csv", "trajectories.csv", "forgetting.csv", "points.csv"})
      EXPECT_EQ(slurp(dir_ / name / f), slurp(dir_ / "one" / f)) << threads << " threads: " << f;
    EXPECT_FALSE(fs::exists(dir_ / name / "results.db.checkpoints")) << "committed units leave no checkpoints";
  }
}

// Cancelled while side by side (Ctrl-C: the token fires in both units): the run stops with RunCancelled, keeps
// what it committed, and the same command afterwards ends with the files of an uninterrupted run.
TEST_F(UnitsTogether, CancelledSideBySideUnitsResumeToTheSequentialFiles) {
  run_to_directory(plan_in("one", 1), {});
  std::atomic<int> polls{0};
  DirectoryRunOptions cancelled;
  cancelled.cancel = CancelToken([&] { return ++polls > 40; });
  EXPECT_THROW(run_to_directory(plan_in("two", 2), cancelled), RunCancelled);
  const auto resumed = run_to_directory(plan_in("two", 2), {});
  EXPECT_EQ(resumed.units_run + resumed.units_skipped, 6u);
  EXPECT_GT(resumed.units_run, 0u) << "the cancelled run left units to run";
  for (const char* f : {"summary.csv", "trajectories.csv", "forgetting.csv", "points.csv"})
    EXPECT_EQ(slurp(dir_ / "two" / f), slurp(dir_ / "one" / f)) << f;
}

}  // namespace
}  // namespace ouro
