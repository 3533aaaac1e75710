// The distributed run without MPI: ranks as threads talking through in-process mailboxes, so that the protocol
// (dynamic assignment, records sent as bytes and replayed into rank 0's store) runs under the sanitizers too.
// Its files equal a one-process run's byte for byte for 2 and 4 ranks; a rank's error stops the run with the
// rank's message. Also: a unit's recording replays the rows it was given, bit for bit.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>
#include <tuple>

#include "ouroboros/core/error.hpp"
#include "ouroboros/experiment/distributed_runner.hpp"
#include "ouroboros/experiment/plan_runner.hpp"
#include "ouroboros/experiment/unit_record.hpp"
#include "ouroboros/io/run_directory.hpp"
#include "support/files.hpp"

namespace ouro {
namespace {

namespace fs = std::filesystem;

// Ranks in one process: one mailbox per rank.
struct Mailboxes {
  explicit Mailboxes(int n) : boxes(static_cast<std::size_t>(n)) {}
  struct Box {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<Message> messages;
  };
  std::vector<Box> boxes;
};

class ThreadTransport final : public Transport {
 public:
  ThreadTransport(Mailboxes& boxes, int rank) : boxes_(boxes), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return static_cast<int>(boxes_.boxes.size()); }
  void send(int to, int tag, std::string_view bytes) override {
    auto& box = boxes_.boxes.at(static_cast<std::size_t>(to));
    {
      const std::lock_guard lock(box.mutex);
      box.messages.push_back({rank_, tag, std::string(bytes)});
    }
    box.ready.notify_one();
  }
  std::optional<Message> poll() override {
    auto& box = boxes_.boxes[static_cast<std::size_t>(rank_)];
    const std::lock_guard lock(box.mutex);
    if (box.messages.empty()) return std::nullopt;
    Message m = std::move(box.messages.front());
    box.messages.pop_front();
    return m;
  }
  Message receive() override {
    auto& box = boxes_.boxes[static_cast<std::size_t>(rank_)];
    std::unique_lock lock(box.mutex);
    box.ready.wait(lock, [&] { return !box.messages.empty(); });
    Message m = std::move(box.messages.front());
    box.messages.pop_front();
    return m;
  }

 private:
  Mailboxes& boxes_;
  int rank_;
};

using testing::slurp;

const char* kSweep =
    "[experiment]\ngenerations = 10\nreplicates = 20\nseed = 6\nsamples = 25\nthreads = 1\n"
    "regimes = [\"replace\", \"accumulate\"]\n[truth]\nfamily = \"gaussian\"\n[model]\nfamily = \"gaussian\"\n"
    "[output]\ntrajectories = 2\n[sweep]\n\"experiment.samples\" = [10, 40]\n"
    "\"truth.family\" = [\"gaussian(sd=3)\", \"categorical(dist=zipf, m=20, a=1.1)\"]\n"
    "\"model.family\" = [\"gaussian(estimator=unbiased)\", \"categorical\"]\n"
    "zip = [[\"truth.family\", \"model.family\"]]\n";

class Distributed : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ouroboros_distributed_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Plan plan_in(const std::string& name, const std::string& text = kSweep) {
    Plan plan = parse_plan(text, "sweep.toml", {});
    override_output(plan, (dir_ / name).string(), -1);
    return plan;
  }
  // Rank 0 in this thread, the others on threads of their own.
  DirectoryRunReport run_ranks(const Plan& plan, int ranks, Spread spread = Spread::kAuto,
                               std::size_t* units_spread = nullptr) {
    Mailboxes boxes(ranks);
    std::vector<std::thread> others;
    for (int r = 1; r < ranks; ++r)
      others.emplace_back([&, r] {
        ThreadTransport t(boxes, r);
        serve_plan(plan, {}, t);
      });
    ThreadTransport zero(boxes, 0);
    DirectoryRunOptions options;
    options.group = &zero;
    options.spread = spread;
    if (units_spread) options.progress = [&](const DistributedProgress& p) { *units_spread = p.units_spread; };
    DirectoryRunReport report;
    try {
      report = run_to_directory(plan, options);
    } catch (...) {
      // The other ranks wait for their next unit: tell them to stop before they are joined.
      for (int r = 1; r < ranks; ++r) zero.send(r, kTagAssign, std::string(16, '\xff'));
      for (auto& t : others) t.join();
      throw;
    }
    for (auto& t : others) t.join();
    return report;
  }
  fs::path dir_;
};

TEST_F(Distributed, RanksAsThreadsWriteTheOneProcessFiles) {
  const Plan alone = plan_in("alone");
  run_to_directory(alone, {});
  for (const int ranks : {2, 4}) {
    const std::string name = "ranks" + std::to_string(ranks);
    const auto report = run_ranks(plan_in(name), ranks);
    EXPECT_EQ(report.units_run, 8u);  // 2 sample sizes x 2 families x 2 regimes
    for (const char* f : {"summary.csv", "trajectories.csv", "forgetting.csv", "points.csv"})
      EXPECT_EQ(slurp(dir_ / name / f), slurp(dir_ / "alone" / f)) << ranks << " ranks: " << f;
    // Resumed with every unit in the store: nothing runs, on any number of ranks.
    const auto again = run_ranks(plan_in(name), 3);
    EXPECT_EQ(again.units_run, 0u);
    EXPECT_EQ(again.units_skipped, 8u);
  }
}

// One unit's replicates spread over the ranks: rank 0 summarises every replicate's rows, so the files equal a
// one-process run's byte for byte. kSweep: trajectories, forgetting records, statistics and sample kernels, one
// block of generations. kUntil: 3000 replicates, so that a unit takes several blocks (4 MiB of values each), and
// experiment.until, so that the ranks stop together mid-block; thresholds and first passages.
const char* kUntil =
    "[experiment]\ngenerations = 100000\nreplicates = 3000\nseed = 9\nsamples = 10\nthreads = 2\n"
    "until = \"support <= 1\"\nregimes = [\"replace\"]\n[truth]\nfamily = \"categorical(dist=uniform, m=12)\"\n"
    "[model]\nfamily = \"categorical\"\n[metrics]\nthresholds = [\"support <= 3\"]\nfirst = [\"support <= 2\"]\n"
    "[sweep]\n\"experiment.samples\" = [10, 14]\n";

TEST_F(Distributed, SpreadUnitsWriteTheOneProcessFiles) {
  for (const char* text : {kSweep, kUntil}) {
    const std::string tag = text == kSweep ? "sweep" : "until";
    const Plan alone = plan_in(tag + "alone", text);
    run_to_directory(alone, {});
    for (const int ranks : {2, 3}) {
      const std::string name = tag + std::to_string(ranks);
      std::size_t spread = 0;
      const auto report = run_ranks(plan_in(name, text), ranks, Spread::kAlways, &spread);
      EXPECT_EQ(spread, report.units_run) << name;
      for (const char* f : {"summary.csv", "trajectories.csv", "forgetting.csv", "points.csv"})
        EXPECT_EQ(slurp(dir_ / name / f), slurp(dir_ / (tag + "alone") / f)) << name << ": " << f;
    }
  }
  // The until run went past its first block of generations (a block holds 4 MiB of values: fewer than 44
  // generations of 3000 replicates and at least 4 columns) before the event held in every replicate.
  const std::string summary = slurp(dir_ / "untilalone" / "summary.csv");
  EXPECT_NE(summary.find("\n0,replace,60,"), std::string::npos) << "fewer than 60 generations";
}

TEST_F(Distributed, WhichUnitsAreSpread) {
  std::size_t spread = 0;
  // Auto: fewer units (2) than ranks (3), so both are spread; as many units as ranks, none.
  run_ranks(plan_in("auto3", kUntil), 3, Spread::kAuto, &spread);
  EXPECT_EQ(spread, 2u);
  run_ranks(plan_in("auto2", kUntil), 2, Spread::kAuto, &spread);
  EXPECT_EQ(spread, 0u);
  run_ranks(plan_in("never", kUntil), 3, Spread::kNever, &spread);
  EXPECT_EQ(spread, 0u);
}

TEST_F(Distributed, UnitsThatCannotBeSpreadRunWholeToTheOneProcessFiles) {
  // Replicate-major units, and units with fewer replicates than ranks, run whole, even when asked to spread.
  std::string replicate_major = kSweep, few = kSweep;
  replicate_major.replace(replicate_major.find("threads = 1"), 11, "threads = 1\nscheduler = \"replicate\"");
  few.replace(few.find("replicates = 20"), 15, "replicates = 2");
  for (const auto& [name, text] : {std::pair{"replicate", replicate_major}, std::pair{"few", few}}) {
    run_to_directory(plan_in(std::string(name) + "alone", text), {});
    std::size_t spread = 1;
    run_ranks(plan_in(name, text), 3, Spread::kAlways, &spread);
    EXPECT_EQ(spread, 0u) << name;
    for (const char* f : {"summary.csv", "trajectories.csv", "forgetting.csv"})
      EXPECT_EQ(slurp(dir_ / name / f), slurp(dir_ / (std::string(name) + "alone") / f)) << name << ": " << f;
  }
}

// A point whose chains do not fit one process's memory limit but whose share does: spread over 3 ranks it runs
// (to the records of a one-process run with a higher limit); not spread, it is refused before anything runs; and
// with a limit below even one share, the message says that the estimate is per process.
TEST_F(Distributed, APointSpreadOverTheRanksNeedsOneSharesMemory) {
  const std::string text =
      "[experiment]\ngenerations = 4\nreplicates = 30\nseed = 5\nsamples = 50\nregimes = [\"replace\"]\n"
      "[truth]\nfamily = \"categorical(dist=uniform, m=30000)\"\n[model]\nfamily = \"categorical\"\n"
      "[output]\nforgetting = false\n";
  const Plan plan = plan_in("estimate", text);
  ExperimentConfig config = plan.points[0].config;
  const auto simulator = bind_point(config, plan.points[0], false);
  const double whole = estimate_bytes(config, *simulator, config.regimes[0]);
  const double share = estimate_bytes(config, *simulator, config.regimes[0], 3);
  ASSERT_LT(share, 0.5 * whole) << "the chains dominate the estimate";
  const auto limited = [&](const std::string& name, double bytes) {
    std::string t = text;
    t.replace(t.find("seed = 5"), 8, fmt::format("seed = 5\nmemory_limit = {:.17g}", bytes / 1073741824.0));
    return plan_in(name, t);
  };
  run_to_directory(limited("alone", 2 * whole), {});
  std::size_t spread = 0;
  run_ranks(limited("spread", 0.5 * (share + whole)), 3, Spread::kAuto, &spread);
  EXPECT_EQ(spread, 1u);
  EXPECT_EQ(slurp(dir_ / "spread" / "summary.csv"), slurp(dir_ / "alone" / "summary.csv"));
  for (const auto& [name, bytes, ranks, how, expected] :
       {std::tuple{"never", 0.5 * (share + whole), 3, Spread::kNever, "would need about"},
        std::tuple{"one", 0.5 * (share + whole), 1, Spread::kAuto, "would need about"},
        std::tuple{"below", 0.5 * share, 3, Spread::kAuto, "in each of the 3 processes its replicates are spread"}}) {
    try {
      if (ranks == 1)
        run_to_directory(limited(name, bytes), {});
      else
        run_ranks(limited(name, bytes), ranks, how);
      ADD_FAILURE() << name << ": the run went through";
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << name << ": " << e.what();
    }
    EXPECT_FALSE(fs::exists(dir_ / name / "results.db")) << name << ": nothing is written";
  }
}

TEST_F(Distributed, ARanksErrorStopsTheRunWithItsMessage) {
  // Point 1 reads a counts file that does not exist; rank 0's own check is skipped (checked = true) so that the
  // failure happens where the unit runs (rank 1, or rank 0's own worker), as on a rank that cannot see the file.
  std::string text = kSweep;
  text.replace(text.find("categorical(dist=zipf, m=20, a=1.1)"), 35, "categorical(file=/nonexistent/counts)");
  const Plan plan = plan_in("bad", text);
  Mailboxes boxes(2);
  std::thread other([&] {
    ThreadTransport t(boxes, 1);
    serve_plan(plan, {}, t);
  });
  ThreadTransport zero(boxes, 0);
  DirectoryRunOptions options;
  options.group = &zero;
  options.checked = true;
  try {
    run_to_directory(plan, options);
    ADD_FAILURE() << "the run went through";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot be opened"), std::string::npos) << e.what();
  }
  zero.send(1, kTagAssign, std::string(16, '\xff'));  // stop, if rank 1 still waits
  other.join();
}

// Rows recorded and replayed: the same values bit for bit (NaN theory included), in the same order, with one
// address per citation text.
class Collect final : public ResultSink {
 public:
  void begin_regime(const std::string& r, KernelKind k) override { log << "begin " << r << int(k) << "\n"; }
  void summary(const SummaryRow& row) override { add(row, "row"); }
  void summary_block(std::span<const SummaryRow> rows) override {
    for (const auto& r : rows) add(r, "block");
  }
  void trajectory(const std::string& r, std::int64_t rep, std::int64_t g, const std::string& m, double v) override {
    log << "traj " << r << rep << g << m << bits(v) << "\n";
  }
  void forgetting(const std::string& r, std::int64_t rep, const std::string& item, double c, std::int64_t at) override {
    log << "forget " << r << rep << item << bits(c) << at << "\n";
  }
  void end_regime(const std::string& r) override { log << "end " << r << "\n"; }
  static std::uint64_t bits(double v) {
    std::uint64_t b = 0;
    std::memcpy(&b, &v, sizeof b);
    return b;
  }
  void add(const SummaryRow& row, const char* how) {
    log << how << row.regime << row.generation << row.metric << bits(row.stats.mean) << bits(row.stats.q95)
        << row.stats.finite << bits(row.theory.lo) << bits(row.theory.mid) << int(row.theory.kind) << row.theory.source
        << "\n";
    sources.push_back(row.theory.source.data());
  }
  std::ostringstream log;
  std::vector<const char*> sources;
};

TEST(UnitRecord, ReplaysTheRowsItWasGivenBitForBit) {
  const std::string regime = "replace", metric = "sigma";
  SummaryStats stats;
  stats.mean = 0.1;
  stats.q95 = std::nan("");
  stats.finite = 7;
  const TheoryValue theory = TheoryValue::exact(1.0 / 3.0, "a citation");
  std::vector<SummaryRow> block{{regime, 1, metric, stats, theory}, {regime, 2, metric, stats, TheoryValue{}}};
  Collect direct;
  RecordingSink recording;
  for (ResultSink* sink : {static_cast<ResultSink*>(&direct), static_cast<ResultSink*>(&recording)}) {
    sink->begin_regime(regime, KernelKind::kSample);
    sink->summary({regime, 0, metric, stats, theory});
    sink->summary_block(block);
    sink->trajectory(regime, 3, 4, metric, -0.0);
    sink->forgetting(regime, 2, "the", 12.5, 0);
    sink->end_regime(regime);
  }
  UnitInfo unit;
  unit.point = 3;
  unit.regime = regime;
  unit.report.regime = regime;
  unit.report.stopped_at = 9;
  unit.report.kernel = KernelKind::kSample;
  unit.report.theory_sources["sigma"] = {{"exact", "a citation"}};
  unit.family = "{\"name\":\"gaussian\"}";
  std::string bytes;
  const UnitInfo back = decode_unit(encode_unit(unit, recording.bytes()), bytes);
  EXPECT_EQ(back.point, 3u);
  EXPECT_EQ(back.report.stopped_at, 9);
  EXPECT_EQ(back.report.theory_sources, unit.report.theory_sources);
  EXPECT_EQ(back.family, unit.family);
  Collect replayed;
  replay(bytes, replayed);
  EXPECT_EQ(replayed.log.str(), direct.log.str());
  Collect twice;
  replay(bytes, twice);
  EXPECT_EQ(twice.sources.front(), replayed.sources.front()) << "one address per citation text";
  EXPECT_THROW(replay(bytes.substr(0, bytes.size() - 3), replayed), std::runtime_error);
  EXPECT_THROW(decode_unit("\x01\x02", bytes), std::runtime_error);
}

}  // namespace
}  // namespace ouro
