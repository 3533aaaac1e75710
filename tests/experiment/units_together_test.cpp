// Units of a point side by side (plan_runner.hpp's units_at_once): replicate-major units whose replicates leave
// threads idle run at once, each on its share of the threads, and the files equal those of the same plan run one
// unit after another, byte for byte, also after a cancelled run is resumed, and after one unit failed.
#include <gtest/gtest.h>
#include <sqlite3.h>

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

// The ledger's status of point 0's unit `regime` ("" when it has no row).
std::string unit_status(const fs::path& db, const std::string& regime) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(h, "SELECT status FROM units WHERE point = 0 AND regime = ?", -1, &s, nullptr);
  sqlite3_bind_text(s, 1, regime.c_str(), -1, SQLITE_TRANSIENT);
  std::string status;
  if (sqlite3_step(s) == SQLITE_ROW) status = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  sqlite3_close(h);
  return status;
}

// One side-by-side unit fails (its checkpoint is another unit's: the restore refuses it): the run ends with that
// unit's error, the store records the unit as failed, a unit stopped because of it keeps its checkpoints, and
// once the cause is gone the same command ends with the files of an uninterrupted run.
TEST_F(UnitsTogether, AFailingSideBySideUnitIsRecordedAndTheRunResumesAfterwards) {
  run_to_directory(plan_in("one", 1), {});
  const fs::path root = dir_ / "two" / "results.db.checkpoints";
  const fs::path replace = root / "p0-replace" / "r0.ckpt", accumulate = root / "p0-accumulate" / "r0.ckpt";
  DirectoryRunOptions cancelled;  // stopped as soon as both units have a checkpoint
  cancelled.cancel = CancelToken([&] { return fs::exists(replace) && fs::exists(accumulate); });
  EXPECT_THROW(run_to_directory(plan_in("two", 2), cancelled), RunCancelled);
  ASSERT_TRUE(fs::exists(replace) && fs::exists(accumulate)) << "the cancelled run left both units' checkpoints";
  fs::copy_file(replace, accumulate, fs::copy_options::overwrite_existing);
  try {
    run_to_directory(plan_in("two", 2), {});
    ADD_FAILURE() << "a unit restored from another unit's checkpoint must fail";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint of replicate 0 does not belong to this unit"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(unit_status(dir_ / "two" / "results.db", "accumulate"), "failed");
  fs::remove(accumulate);
  const auto resumed = run_to_directory(plan_in("two", 2), {});
  EXPECT_EQ(resumed.units_run + resumed.units_skipped, 6u);
  for (const char* f : {"summary.csv", "trajectories.csv", "forgetting.csv", "points.csv"})
    EXPECT_EQ(slurp(dir_ / "two" / f), slurp(dir_ / "one" / f)) << f;
}

}  // namespace
}  // namespace ouro
