// Sweeps and the results store end to end: every point runs and equals the same point run alone; a sweep killed
// with SIGKILL at many moments and resumed ends byte-identical to an uninterrupted one; a changed configuration,
// a foreign file and a store in use are refused (exit 2) and --fresh starts over; --dry-run runs nothing;
// per-point seeds.
#include <gtest/gtest.h>

#include <functional>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "support/cli_fixture.hpp"

namespace {

using namespace ouro::testing;
namespace fs = std::filesystem;

const std::string kSweep =
    "[experiment]\ngenerations = 8\nreplicates = 30\nseed = 5\nregimes = [\"replace\", \"accumulate\"]\n"
    "samples = 10\n[truth]\nfamily = \"gaussian\"\n[model]\nfamily = \"gaussian(estimator=unbiased)\"\n"
    "[output]\ntrajectories = true\n"
    "[sweep]\n\"experiment.samples\" = [10, 30]\n\"truth.family\" = [\"gaussian(sd=1)\", \"gaussian(sd=2)\"]\n";

// The rows of a sweep's CSV whose point column is `point`, with that column removed.
std::vector<std::string> rows_of_point(const std::string& text, std::size_t point) {
  std::vector<std::string> out;
  const auto all = lines(text);
  for (std::size_t i = 1; i < all.size(); ++i)
    if (all[i].rfind(std::to_string(point) + ",", 0) == 0) out.push_back(all[i].substr(all[i].find(',') + 1));
  return out;
}

std::int64_t count_rows(const fs::path& db, const std::string& table) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(h, ("SELECT count(*) FROM " + table).c_str(), -1, &s, nullptr);
  const std::int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
  sqlite3_finalize(s);
  sqlite3_close(h);
  return n;
}

TEST_F(Cli, SweepRunsEveryPointAndEachEqualsThePointRunAlone) {
  const auto exp = write("s.toml", kSweep);
  const auto r = run("run " + exp.string() + " --quiet --out " + (dir_ / "sweep").string());
  ASSERT_EQ(r.status, 0) << r.err;
  const auto points = lines(slurp(dir_ / "sweep" / "points.csv"));
  ASSERT_EQ(points.size(), 5u);
  EXPECT_EQ(points[0], "point,point_id,experiment.samples,truth.family");
  EXPECT_EQ(points[1].substr(0, 2), "0,");
  EXPECT_NE(points[2].find(",10,gaussian(sd=2)"), std::string::npos) << "the first swept key varies slowest";
  const std::string summary = slurp(dir_ / "sweep" / "summary.csv");
  EXPECT_EQ(lines(summary)[0].substr(0, 13), "point,regime,");
  const std::vector<std::pair<int, std::string>> alone{
      {10, "gaussian(sd=1)"}, {10, "gaussian(sd=2)"}, {30, "gaussian(sd=1)"}, {30, "gaussian(sd=2)"}};
  const auto exp_alone = write("a.toml", kSweep.substr(0, kSweep.find("[sweep]")));
  for (std::size_t p = 0; p < alone.size(); ++p) {
    const auto out = dir_ / ("alone" + std::to_string(p));
    const auto a = run("run " + exp_alone.string() + " --quiet --out " + out.string() + " --set experiment.samples=" +
                       std::to_string(alone[p].first) + " --set 'truth.family=\"" + alone[p].second + "\"'");
    ASSERT_EQ(a.status, 0) << a.err;
    auto expected = lines(slurp(out / "summary.csv"));
    expected.erase(expected.begin());
    EXPECT_EQ(rows_of_point(summary, p), expected) << "point " << p;
    auto traj = lines(slurp(out / "trajectories.csv"));
    traj.erase(traj.begin());
    EXPECT_EQ(rows_of_point(slurp(dir_ / "sweep" / "trajectories.csv"), p), traj) << "point " << p;
  }
  // The store holds every summary row, with the swept values as columns of `points`.
  EXPECT_EQ(count_rows(dir_ / "sweep" / "results.db", "summary"), static_cast<std::int64_t>(lines(summary).size() - 1));
  EXPECT_EQ(count_rows(dir_ / "sweep" / "results.db", "points WHERE \"experiment.samples\" = 30"), 2);
  EXPECT_EQ(count_rows(dir_ / "sweep" / "results.db", "units WHERE status = 'done'"), 8);
  const auto manifest = nlohmann::json::parse(slurp(dir_ / "sweep" / "manifest.json"));
  ASSERT_EQ(manifest["points"].size(), 4u);
  EXPECT_EQ(manifest["points"][3]["values"]["truth.family"], "gaussian(sd=2)");
  EXPECT_EQ(manifest["points"][0]["seed"], manifest["points"][3]["seed"]) << "points share the seed by default";
}

TEST_F(Cli, PerPointSeedsDifferAndAreStable) {
  const auto exp = write("s.toml", kSweep + "seed = \"per_point\"\n");
  ASSERT_EQ(run("run " + exp.string() + " --quiet --out " + (dir_ / "a").string()).status, 0);
  const auto m = nlohmann::json::parse(slurp(dir_ / "a" / "manifest.json"));
  std::set<std::uint64_t> seeds;
  for (const auto& p : m["points"]) seeds.insert(p["seed"].get<std::uint64_t>());
  EXPECT_EQ(seeds.size(), 4u);
  // A point's seed depends on its own values only: adding a value to the sweep leaves the others' seeds alone.
  const auto wider = write("w.toml", kSweep.substr(0, kSweep.find("[sweep]")) +
                                         "[sweep]\n\"experiment.samples\" = [10, 30, 100]\n\"truth.family\" = "
                                         "[\"gaussian(sd=1)\", \"gaussian(sd=2)\"]\nseed = \"per_point\"\n");
  ASSERT_EQ(run("run " + wider.string() + " --dry-run").status, 0);
  ASSERT_EQ(run("run " + wider.string() + " --quiet --out " + (dir_ / "b").string()).status, 0);
  const auto w = nlohmann::json::parse(slurp(dir_ / "b" / "manifest.json"));
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(w["points"][i]["seed"], m["points"][i]["seed"]) << i;
}

// Runs `ouroboros run exp --quiet --threads T --out out` again and again, killing it with SIGKILL after fixed
// pseudo-random delays, until it finishes (from the 40th attempt on it may). Returns the number of kills; `between`
// is called after each kill.
int kill_until_finished(const std::string& exp_path, const std::string& out, const char* threads,
                        const std::function<void()>& between = {}) {
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> delay_ms(20, 400);
  int kills = 0;
  for (int attempts = 0; attempts < 60; ++attempts) {
    std::vector<char*> argv{const_cast<char*>(OUROBOROS_CLI), const_cast<char*>("run"),
                            const_cast<char*>(exp_path.c_str()), const_cast<char*>("--quiet"),
                            const_cast<char*>("--threads"), const_cast<char*>(threads), const_cast<char*>("--out"),
                            const_cast<char*>(out.c_str()), nullptr};
    pid_t pid;
    EXPECT_EQ(posix_spawn(&pid, OUROBOROS_CLI, nullptr, nullptr, argv.data(), environ), 0);
    int status = 0;
    bool finished = false;
    const int wait = attempts < 40 ? delay_ms(rng) : 600000;
    for (int waited = 0; waited < wait && !finished; waited += 5) {
      finished = ::waitpid(pid, &status, WNOHANG) == pid;
      if (!finished) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!finished) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      ++kills;
      if (between) between();
      continue;
    }
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return kills;
  }
  ADD_FAILURE() << "the run never finished";
  return kills;
}

// SIGKILL at many moments (fixed pseudo-random delays), then the same command again until it finishes: the final
// files equal those of a run that was never interrupted, byte for byte.
TEST_F(Cli, KilledAndResumedSweepEndsByteIdentical) {
  const std::string generations = std::to_string(4000 / kSanitizerSlowdown);
  const std::string big =
      "[experiment]\ngenerations = " + generations +
      "\nreplicates = 300\nseed = 9\nsamples = 10\n"
      "regimes = [\"replace\", \"accumulate\", \"grow\"]\n[truth]\nfamily = \"gaussian\"\n[model]\n"
      "family = \"gaussian(estimator=unbiased)\"\n[sweep]\n\"experiment.samples\" = [10, 20, 40]\n";
  const auto exp = write("k.toml", big);
  ASSERT_EQ(run("run " + exp.string() + " --quiet --threads 1 --out " + (dir_ / "clean").string()).status, 0);
  const int kills = kill_until_finished(exp.string(), (dir_ / "killed").string(), "1");
  EXPECT_GE(kills, 3) << "the test must interrupt the sweep";
  for (const char* f : {"summary.csv", "points.csv"})
    EXPECT_EQ(slurp(dir_ / "killed" / f), slurp(dir_ / "clean" / f)) << f;
  EXPECT_EQ(count_rows(dir_ / "killed" / "results.db", "summary"), count_rows(dir_ / "clean" / "results.db", "summary"));
  EXPECT_EQ(count_rows(dir_ / "killed" / "results.db", "units"), 9);
}

// The replicate-major scheduler under SIGKILL: each replicate's chain resumes from its last checkpoint (files beside
// the store while the unit is open, gone once it is committed), and the final files equal those of an uninterrupted
// generation-major run (the scheduler is not part of the store's identity: it changes no record).
TEST_F(Cli, KilledReplicateMajorRunResumesFromCheckpointsByteIdentical) {
  const std::string generations = std::to_string(60 / kSanitizerSlowdown);
  const std::string body =
      "[experiment]\ngenerations = " + generations +
      "\nreplicates = 32\nseed = 3\nsamples = 300\nregimes = [\"replace\"]\n"
      "scheduler = \"replicate\"\ncheckpoint_every = 2\n[truth]\nfamily = \"gmm(k=3, d=2, separation=3, sd=1)\"\n[model]\n"
      "family = \"gmm(init=random, max_iter=100)\"\n[output]\ntrajectories = 5\n";
  const auto exp = write("r.toml", body);
  ASSERT_EQ(run("run " + exp.string() + " --quiet --threads 2 --out " + (dir_ / "clean").string() +
                " --set experiment.scheduler=generation")
                .status,
            0);
  const fs::path killed = dir_ / "killed";
  const fs::path checkpoints = killed / "results.db.checkpoints";
  bool saw_checkpoints = false;
  const int kills = kill_until_finished(
      exp.string(), killed.string(), "2", [&] {
        std::error_code ec;
        for (const auto& e : fs::recursive_directory_iterator(checkpoints, ec))
          if (e.path().extension() == ".ckpt") saw_checkpoints = true;
      });
  EXPECT_GE(kills, 3) << "the test must interrupt the run";
  EXPECT_TRUE(saw_checkpoints) << "a killed replicate-major run leaves checkpoints to resume from";
  EXPECT_FALSE(fs::exists(checkpoints)) << "a committed unit's checkpoints are removed";
  for (const char* f : {"summary.csv", "trajectories.csv"})
    EXPECT_EQ(slurp(killed / f), slurp(dir_ / "clean" / f)) << f;
}

// A run killed after a unit's commit but before its checkpoints were removed leaves them behind; the next run
// (which has nothing left to do) removes them.
TEST_F(Cli, CheckpointsOfACommittedUnitLeftBehindAreRemoved) {
  const auto exp = write("c.toml",
                         "[experiment]\ngenerations = 3\nreplicates = 2\nsamples = 10\nscheduler = \"replicate\"\n"
                         "[truth]\nfamily = \"gaussian\"\n[model]\nfamily = \"gaussian\"\n");
  const std::string command = "run " + exp.string() + " --quiet --out " + (dir_ / "o").string();
  ASSERT_EQ(run(command).status, 0);
  const fs::path left = dir_ / "o" / "results.db.checkpoints" / "p0-replace";
  fs::create_directories(left);
  std::ofstream(left / "r0.ckpt") << "left behind";
  ASSERT_EQ(run(command).status, 0);
  EXPECT_FALSE(fs::exists(dir_ / "o" / "results.db.checkpoints"));
}

// Row chunks are written without a sync, so only the process that wrote them joins them: a chunk left by an earlier
// run (here planted, with rows the store does not hold) is removed, the unit's rows come from the store, and the
// store is left without a journal or log beside it.
TEST_F(Cli, RowChunksOfAnEarlierRunAreNotJoined) {
  const auto exp = write("u.toml",
                         "[experiment]\ngenerations = 3\nreplicates = 4\nsamples = 10\n"
                         "[truth]\nfamily = \"gaussian\"\n[model]\nfamily = \"gaussian\"\n");
  const fs::path out = dir_ / "o";
  const std::string command = "run " + exp.string() + " --quiet --out " + out.string();
  ASSERT_EQ(run(command).status, 0);
  const std::string first = slurp(out / "summary.csv");
  fs::create_directories(out / ".units" / "0-0");
  std::ofstream(out / ".units" / "0-0" / "summary.csv") << "replace,1,mean,99,0,0,99,99,99,99,99,4,,,,,\n";
  const auto again = run(command);
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(slurp(out / "summary.csv"), first);
  EXPECT_FALSE(fs::exists(out / ".units"));
  for (const char* left : {"results.db-journal", "results.db-wal", "results.db-shm"})
    EXPECT_FALSE(fs::exists(out / left)) << left;
}

// Units side by side under SIGKILL: one replicate per unit and two threads, so the two regimes run at once, each
// from its own checkpoints; the final files equal those of an uninterrupted run of one unit after another.
TEST_F(Cli, KilledSideBySideUnitsResumeFromCheckpointsByteIdentical) {
  const std::string generations = std::to_string(1000 / kSanitizerSlowdown);
  const std::string body =
      "[experiment]\ngenerations = " + generations +
      "\nreplicates = 1\nseed = 3\nsamples = 300\n"
      "regimes = [\"replace\", \"keep_real(fraction=0.1)\"]\nscheduler = \"replicate\"\ncheckpoint_every = 5\n"
      "[truth]\nfamily = \"gmm(k=3, d=2, separation=3, sd=1)\"\n[model]\nfamily = \"gmm(init=random, max_iter=100)\"\n"
      "[output]\ntrajectories = 1\n";
  const auto exp = write("t.toml", body);
  ASSERT_EQ(run("run " + exp.string() + " --quiet --threads 1 --out " + (dir_ / "clean").string()).status, 0);
  const fs::path killed = dir_ / "killed";
  bool saw_both = false;
  const int kills = kill_until_finished(exp.string(), killed.string(), "2", [&] {
    std::error_code ec;
    int units = 0;
    for (const auto& e : fs::directory_iterator(killed / "results.db.checkpoints", ec)) units += e.is_directory();
    if (units == 2) saw_both = true;
  });
  EXPECT_GE(kills, 3) << "the test must interrupt the run";
  EXPECT_TRUE(saw_both) << "both units run at once, each leaving checkpoints";
  for (const char* f : {"summary.csv", "trajectories.csv"})
    EXPECT_EQ(slurp(killed / f), slurp(dir_ / "clean" / f)) << f;
}

// Side-by-side units shown on the terminal (no --quiet): they report progress while they run, before any is
// committed, and each unit's table follows in plan order. (The terminal once received progress before it had been
// told of the point, and crashed.)
TEST_F(Cli, SideBySideUnitsPrintTheirTablesInPlanOrder) {
  const auto exp = write("t.toml", "[experiment]\ngenerations = 20\nreplicates = 1\nseed = 3\nsamples = 100\n"
                                   "regimes = [\"replace\", \"accumulate\"]\nscheduler = \"replicate\"\n"
                                   "[truth]\nfamily = \"gmm(k=3, d=2, separation=3, sd=1)\"\n"
                                   "[model]\nfamily = \"gmm(init=random, max_iter=100)\"\n");
  const auto r = run("run " + exp.string() + " --threads 2 --out " + (dir_ / "o").string());
  ASSERT_EQ(r.status, 0) << r.err;
  const auto replace = r.out.find("== replace "), accumulate = r.out.find("== accumulate ");
  ASSERT_NE(replace, std::string::npos) << r.out;
  ASSERT_NE(accumulate, std::string::npos) << r.out;
  EXPECT_LT(replace, accumulate);
  EXPECT_NE(r.out.find("(2 unit(s) run, 0 resumed from results.db)"), std::string::npos) << r.out;
}

TEST_F(Cli, ChangedConfigurationIsRefusedAndFreshStartsOver) {
  const auto exp = write("s.toml", kSweep);
  const std::string out = " --quiet --out " + (dir_ / "o").string();
  ASSERT_EQ(run("run " + exp.string() + out).status, 0);
  const auto again = run("run " + exp.string() + out);
  EXPECT_EQ(again.status, 0) << again.err;
  // Run again without --quiet: every unit is resumed, and its table is shown from the store.
  const auto shown = run("run " + exp.string() + " --out " + (dir_ / "o").string());
  EXPECT_NE(shown.out.find("finished in an earlier run"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("simulation mean"), std::string::npos) << "the table is printed: " << shown.out;
  EXPECT_NE(shown.out.find("(0 unit(s) run, 8 resumed from results.db)"), std::string::npos) << shown.out;
  const auto changed = run("run " + exp.string() + out + " --set experiment.replicates=31");
  EXPECT_EQ(changed.status, 2);
  EXPECT_NE(changed.err.find("point 0: experiment.replicates: stored 30, now 31"), std::string::npos) << changed.err;
  EXPECT_NE(changed.err.find("--fresh"), std::string::npos);
  const auto fresh = run("run " + exp.string() + out + " --set experiment.replicates=31 --fresh");
  EXPECT_EQ(fresh.status, 0) << fresh.err;
  // Asking for records the store lacks (trajectories) is a change too; the thread count and table are not.
  const auto more = run("run " + exp.string() + out + " --set experiment.replicates=31 --set output.trajectories=false");
  EXPECT_EQ(more.status, 2);
  EXPECT_NE(more.err.find("output.trajectories: stored 1, now 0"), std::string::npos) << more.err;
  EXPECT_EQ(run("run " + exp.string() + out + " --set experiment.replicates=31 --threads 1 --set output.table=[2]").status,
            0);
}

// The forgetting records are stored as one JSON array per replicate (forgetting_rows) behind the `forgetting` view.
// Symbol labels with a quote, a backslash, non-ASCII letters and a byte that is not UTF-8 come back byte for byte:
// from the view, and in forgetting.csv rewritten from the store on a resumed run.
TEST_F(Cli, ForgettingRecordsRoundTripThroughTheStore) {
  const std::vector<std::string> labels{"plain", "qu\"ote", "back\\slash", "caf\xc3\xa9", "raw\xff"};
  std::string counts;
  for (std::size_t i = 0; i < labels.size(); ++i) counts += labels[i] + " " + std::to_string(i + 1) + "\n";
  const auto file = write("counts.txt", counts);
  const auto exp = write("f.toml", "[experiment]\ngenerations = 30\nreplicates = 7\nseed = 2\nsamples = 6\n"
                                   "regimes = [\"replace\", \"accumulate\"]\n[truth]\nfamily = 'categorical(file=\"" +
                                       file.string() + "\")'\n[model]\nfamily = \"categorical\"\n");
  const std::string out = " --quiet --out " + (dir_ / "o").string();
  ASSERT_EQ(run("run " + exp.string() + out).status, 0);
  const std::string first = slurp(dir_ / "o" / "forgetting.csv");
  EXPECT_EQ(count_rows(dir_ / "o" / "results.db", "forgetting"), 2 * 7 * 5);
  EXPECT_EQ(count_rows(dir_ / "o" / "results.db", "forgetting_rows"), 2 * 7) << "one row per regime and replicate";
  EXPECT_EQ(lines(first).size(), 1 + 2 * 7 * 5);
  // Every label, exactly, from the view; counts as REAL, forgotten_at as an integer or NULL.
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir_ / "o" / "results.db").c_str(), &h, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(h, "SELECT symbol, original_count, typeof(original_count), typeof(forgotten_at) FROM "
                                  "forgetting WHERE regime = 'replace' AND replicate = 3", -1, &q, nullptr), SQLITE_OK);
  std::vector<std::string> seen;
  while (sqlite3_step(q) == SQLITE_ROW) {
    seen.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)),
                      static_cast<std::size_t>(sqlite3_column_bytes(q, 0)));
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(q, 2))), "real");
    const std::string at = reinterpret_cast<const char*>(sqlite3_column_text(q, 3));
    EXPECT_TRUE(at == "integer" || at == "null") << at;
  }
  sqlite3_finalize(q);
  sqlite3_close(h);
  EXPECT_EQ(seen, labels);
  // A second run resumes every unit and writes forgetting.csv again from the store: the same bytes.
  ASSERT_EQ(run("run " + exp.string() + out).status, 0);
  EXPECT_EQ(slurp(dir_ / "o" / "forgetting.csv"), first);
}

TEST_F(Cli, ForeignOrBusyStoreIsRefused) {
  const auto exp = write("s.toml", kSweep);
  fs::create_directories(dir_ / "f");
  std::ofstream(dir_ / "f" / "results.db") << "not a database, but something a user cares about\n";
  const auto foreign = run("run " + exp.string() + " --quiet --out " + (dir_ / "f").string());
  EXPECT_EQ(foreign.status, 2);
  EXPECT_NE(foreign.err.find("not an Ouroboros results store"), std::string::npos) << foreign.err;
  EXPECT_EQ(slurp(dir_ / "f" / "results.db"), "not a database, but something a user cares about\n");
  // A long run holds the store; a second run on the same directory is refused while it lasts.
  const auto long_run = write("l.toml", "[experiment]\ngenerations = 2000000\nreplicates = 100\nsamples = 10\n"
                                        "[truth]\nfamily = \"gaussian\"\n[model]\nfamily = \"gaussian\"\n");
  const std::string out = (dir_ / "busy").string(), path = long_run.string();
  std::vector<char*> argv{const_cast<char*>(OUROBOROS_CLI), const_cast<char*>("run"), const_cast<char*>(path.c_str()),
                          const_cast<char*>("--quiet"), const_cast<char*>("--out"), const_cast<char*>(out.c_str()), nullptr};
  pid_t pid;
  ASSERT_EQ(posix_spawn(&pid, OUROBOROS_CLI, nullptr, nullptr, argv.data(), environ), 0);
  for (int i = 0; i < 500 && !fs::exists(fs::path(out) / "results.db"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto busy = run("run " + path + " --quiet --out " + out);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_EQ(busy.status, 2);
  EXPECT_NE(busy.err.find("in use by another run"), std::string::npos) << busy.err;
}

// The first swept key in file order varies slowest, whatever the keys' alphabetical order.
TEST_F(Cli, PointsFollowTheFileOrderOfTheSweptKeys) {
  const auto exp = write("o.toml", "[experiment]\ngenerations = 2\nreplicates = 5\nsamples = 10\n[truth]\n"
                                   "family = \"gaussian\"\n[model]\nfamily = \"gaussian\"\n[sweep]\n"
                                   "\"truth.family\" = [\"gaussian(sd=1)\", \"gaussian(sd=2)\"]\n"
                                   "\"experiment.samples\" = [10, 30]\n");
  const auto r = run("run " + exp.string() + " --dry-run");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto out = lines(r.out);
  ASSERT_GE(out.size(), 9u);
  // Lines: the count, then each point followed by its one unit.
  EXPECT_NE(out[1].find("n = 10, truth gaussian(sd=1)"), std::string::npos) << out[1];
  EXPECT_NE(out[3].find("n = 30, truth gaussian(sd=1)"), std::string::npos) << out[3];
  EXPECT_NE(out[5].find("n = 10, truth gaussian(sd=2)"), std::string::npos) << out[5];
  EXPECT_NE(out[1].find("truth.family=gaussian(sd=1), experiment.samples=10:"), std::string::npos)
      << "the label lists the swept keys in file order: " << out[1];
  const auto bare = write("b.toml", "[experiment]\ngenerations = 2\nsamples = 10\n[truth]\nfamily = \"gaussian\"\n"
                                    "[model]\nfamily = \"gaussian\"\n[sweep]\nexperiment.samples = [10, 30]\n");
  const auto b = run("run " + bare.string() + " --dry-run");
  EXPECT_EQ(b.status, 2);
  EXPECT_NE(b.err.find("write a swept key in quotes"), std::string::npos) << b.err;
}

// A swept family parameter ("truth.family.sd") is the same run as the whole family string set by hand, and
// --set model.family.P=v replaces one parameter of the spec (or adds it).
TEST_F(Cli, SweptFamilyParameterEqualsTheWholeSpecSweep) {
  const std::string base = kSweep.substr(0, kSweep.find("[sweep]"));
  const auto by_param = write("p.toml", base + "[sweep]\n\"truth.family.sd\" = [1, 2.5]\n");
  const auto by_spec = write("s.toml", base + "[sweep]\n\"truth.family\" = [\"gaussian(sd=1)\", \"gaussian(sd=2.5)\"]\n");
  ASSERT_EQ(run("run " + by_param.string() + " --quiet --out " + (dir_ / "p").string()).status, 0);
  ASSERT_EQ(run("run " + by_spec.string() + " --quiet --out " + (dir_ / "s").string()).status, 0);
  EXPECT_EQ(slurp(dir_ / "p" / "summary.csv"), slurp(dir_ / "s" / "summary.csv"));
  const auto points = lines(slurp(dir_ / "p" / "points.csv"));
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0], "point,point_id,truth.family.sd");
  EXPECT_EQ(points[2].substr(points[2].rfind(',')), ",2.5") << "the swept value is a number";
  const auto m = nlohmann::json::parse(slurp(dir_ / "p" / "manifest.json"));
  EXPECT_EQ(m["points"][1]["config"]["truth"]["family"], "gaussian(sd=2.5)");
  const auto replaced = run("run " + by_param.string() + " --dry-run --set model.family.estimator=mle");
  ASSERT_EQ(replaced.status, 0) << replaced.err;
  EXPECT_NE(replaced.out.find("gaussian(estimator=mle)"), std::string::npos) << replaced.out;
  EXPECT_EQ(replaced.out.find("unbiased"), std::string::npos) << "the parameter is replaced, not added twice";
}

TEST_F(Cli, DryRunListsPointsAndUnitsAndWritesNothing) {
  const auto exp = write("s.toml", kSweep);
  const auto r = run("run " + exp.string() + " --dry-run --out " + (dir_ / "d").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("4 point(s), 8 work unit(s)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("point 3 (id "), std::string::npos);
  EXPECT_NE(r.out.find("experiment.samples=30, truth.family=gaussian(sd=2)"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir_ / "d"));
}

}  // namespace
