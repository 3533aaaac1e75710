// Distributed runs under Open MPI, on loopback only: `mpirun -n 1, 2, 3` give stores equal row for row (and CSV
// files equal byte for byte) to a one-process run, with a statistics-kernel and a sample-kernel family, forgetting
// records and trajectories; a job whose rank dies mid-way resumes on another number of ranks to the same records;
// a rank that cannot read a data file stops the job with its message; a launcher this build cannot serve is
// refused. The harness sets Open MPI's allow-run-as-root variables and --oversubscribe for these runs only.
// Built without MPI (OUROBOROS_MPI=OFF), only the serial stub's refusal is tested.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "support/cli_fixture.hpp"

namespace {

using namespace ouro::testing;
namespace fs = std::filesystem;

// A sweep over a statistics-kernel family (Gaussian) and a sample-kernel one with symbols (categorical: forgetting
// records), zipped so that each point has its own family.
const std::string kSweep =
    "[experiment]\ngenerations = 12\nreplicates = 25\nseed = 4\nsamples = 30\n"
    "regimes = [\"replace\", \"accumulate\"]\n[truth]\nfamily = \"gaussian\"\n[model]\nfamily = \"gaussian\"\n"
    "[output]\ntrajectories = 3\n[sweep]\n\"experiment.samples\" = [20, 60]\n"
    "\"truth.family\" = [\"gaussian(sd=2)\", \"categorical(dist=zipf, m=30, a=1.2)\", \"gaussian(sd=1)\"]\n"
    "\"model.family\" = [\"gaussian(estimator=unbiased)\", \"categorical\", \"gaussian(estimator=mle)\"]\n"
    "\"experiment.kernel\" = [\"statistics\", \"sample\", \"sample\"]\n"
    "zip = [[\"truth.family\", \"model.family\", \"experiment.kernel\"]]\n";

#ifdef OUROBOROS_MPIEXEC

// Every row of a table (or query) as text, in a fixed order.
std::vector<std::string> table_rows(const fs::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  std::vector<std::string> out;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    return out;
  }
  sqlite3_busy_timeout(h, 5000);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &s, nullptr) == SQLITE_OK)
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(s); ++c) {
        const auto* text = sqlite3_column_text(s, c);
        if (c) row += '|';
        row += text ? reinterpret_cast<const char*>(text) : "NULL";
      }
      out.push_back(row);
    }
  sqlite3_finalize(s);
  sqlite3_close(h);
  return out;
}

// The records of a store: what must not depend on how many processes made them.
void expect_same_records(const fs::path& a, const fs::path& b, const std::string& what) {
  for (const char* sql :
       {"SELECT * FROM summary ORDER BY point, regime, generation, metric",
        "SELECT * FROM trajectories ORDER BY point, regime, replicate, generation, metric",
        "SELECT * FROM forgetting ORDER BY point, regime, replicate, symbol", "SELECT * FROM points ORDER BY point",
        "SELECT point, regime, status FROM units ORDER BY point, regime"}) {
    const auto rows = table_rows(a / "results.db", sql);
    EXPECT_FALSE(rows.empty()) << what << ": " << sql;
    EXPECT_EQ(rows, table_rows(b / "results.db", sql)) << what << ": " << sql;
  }
  for (const char* f : {"summary.csv", "trajectories.csv", "forgetting.csv", "points.csv"})
    EXPECT_EQ(slurp(a / f), slurp(b / f)) << what << ": " << f;
}


class Mpi : public Cli {
 protected:
  // The CLI under mpirun: loopback and shared memory only, as root in CI, more processes than cores.
  static std::string mpirun(int ranks) {
    return "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " + std::string(OUROBOROS_MPIEXEC) +
           " -n " + std::to_string(ranks) + " --oversubscribe --mca btl self,vader --mca oob_tcp_if_include lo ";
  }
  // `env`: variables for the job, as NAME=value words.
  Result run_mpi(int ranks, const std::string& args, const std::string& env = "") {
    const std::string cmd = (env.empty() ? "" : "env " + env + " ") + mpirun(ranks) + OUROBOROS_CLI + " " + args + " >" + (dir_ / "stdout").string() + " 2>" +
                            (dir_ / "stderr").string();
    const int raw = std::system(cmd.c_str());
    return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(dir_ / "stdout"), slurp(dir_ / "stderr")};
  }
};

TEST_F(Mpi, AnyNumberOfRanksGivesTheOneProcessRecords) {
  const auto exp = write("s.toml", kSweep);
  const auto one = run("run " + exp.string() + " --quiet --threads 2 --out " + (dir_ / "one").string());
  ASSERT_EQ(one.status, 0) << one.err;
  for (const int ranks : {1, 2, 3}) {
    const auto out = dir_ / ("ranks" + std::to_string(ranks));
    const auto r = run_mpi(ranks, "run " + exp.string() + " --threads 1 --out " + out.string());
    ASSERT_EQ(r.status, 0) << r.err;
    expect_same_records(dir_ / "one", out, std::to_string(ranks) + " ranks");
    if (ranks > 1) {
      EXPECT_NE(r.err.find("12/12 unit(s) done on " + std::to_string(ranks) + " processes"), std::string::npos)
          << "rank 0 reports the job's progress on stderr: " << r.err;
    }
  }
}

// One point's replicates spread over the ranks (a single unit, fewer units than ranks): rank 0 summarises every
// replicate's rows, so the store equals a one-process run's, with experiment.until stopping every rank together.
// OUROBOROS_SPREAD=always spreads each unit of a sweep too; a value that is none of the three is refused.
TEST_F(Mpi, OnePointsReplicatesSpreadOverTheRanksGiveTheOneProcessRecords) {
  const auto exp = write("one.toml",
                         "[experiment]\ngenerations = 100000\nreplicates = 2000\nseed = 3\nsamples = 12\n"
                         "until = \"support <= 1\"\nregimes = [\"replace\"]\n[truth]\n"
                         "family = \"categorical(dist=zipf, m=15, a=1.1)\"\n[model]\nfamily = \"categorical\"\n"
                         "[metrics]\nfirst = [\"support <= 2\"]\n[output]\ntrajectories = 20\n");
  const auto one = run("run " + exp.string() + " --quiet --threads 2 --out " + (dir_ / "one").string());
  ASSERT_EQ(one.status, 0) << one.err;
  for (const int ranks : {2, 3}) {
    const auto out = dir_ / ("spread" + std::to_string(ranks));
    const auto r = run_mpi(ranks, "run " + exp.string() + " --threads 1 --out " + out.string());
    ASSERT_EQ(r.status, 0) << r.err;
    expect_same_records(dir_ / "one", out, std::to_string(ranks) + " ranks");
    EXPECT_NE(r.err.find("1/1 unit(s) done on " + std::to_string(ranks) + " processes (1 spread over them by "
                         "replicates)"), std::string::npos) << r.err;
  }
  const auto sweep = write("s.toml", kSweep);
  ASSERT_EQ(run("run " + sweep.string() + " --quiet --threads 2 --out " + (dir_ / "sweep1").string()).status, 0);
  const auto r =
      run_mpi(3, "run " + sweep.string() + " --threads 1 --out " + (dir_ / "sweep3").string(), "OUROBOROS_SPREAD=always");
  ASSERT_EQ(r.status, 0) << r.err;
  expect_same_records(dir_ / "sweep1", dir_ / "sweep3", "a sweep's units spread");
  EXPECT_NE(r.err.find("12/12 unit(s) done on 3 processes (12 spread over them by replicates)"), std::string::npos)
      << r.err;
  const auto bad =
      run_mpi(2, "run " + sweep.string() + " --out " + (dir_ / "bad").string(), "OUROBOROS_SPREAD=sometimes");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("OUROBOROS_SPREAD=sometimes: must be auto (the default), always or never"),
            std::string::npos) << bad.err;
}

// pid of the job's process with OMPI_COMM_WORLD_RANK=rank among mpirun's children (0: none yet).
pid_t rank_pid(pid_t mpirun, int rank) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::istringstream stat(slurp(entry.path() / "stat"));
    std::string pid, comm, state;
    pid_t parent = 0;
    stat >> pid >> comm >> state >> parent;
    if (parent != mpirun) continue;
    const std::string env = slurp(entry.path() / "environ");
    if (env.find(std::string("OMPI_COMM_WORLD_RANK=") + std::to_string(rank) + '\0') != std::string::npos)
      return static_cast<pid_t>(std::stol(name));
  }
  return 0;
}

// A rank killed (SIGKILL) after some units are committed: the job ends, the finished units stay, and the same
// command on another number of ranks finishes with the records of an uninterrupted one-process run.
TEST_F(Mpi, KilledJobResumesOnAnotherNumberOfRanks) {
  const std::string big =
      "[experiment]\ngenerations = 3000\nreplicates = 200\nseed = 9\nsamples = 10\n"
      "regimes = [\"replace\", \"accumulate\"]\n[truth]\nfamily = \"gaussian\"\n[model]\n"
      "family = \"gaussian(estimator=unbiased)\"\n[sweep]\n\"experiment.samples\" = [10, 20, 40, 80, 160, 320]\n";
  const auto exp = write("k.toml", big);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(run("run " + exp.string() + " --quiet --threads 1 --out " + (dir_ / "one").string()).status, 0);
  const std::chrono::duration<double> one_seconds = std::chrono::steady_clock::now() - start;
  const std::string killed = (dir_ / "killed").string();
  // exec: the shell becomes mpirun, whose children are the ranks.
  const std::string cmd =
      "exec " + mpirun(3) + OUROBOROS_CLI + " run " + exp.string() + " --quiet --threads 1 --out " + killed + " >" +
      (dir_ / "job.log").string() + " 2>&1";
  std::vector<char*> argv{const_cast<char*>("/bin/sh"), const_cast<char*>("-c"), const_cast<char*>(cmd.c_str()),
                          nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv.data(), environ), 0);
  const auto done = [&] {
    return table_rows(killed + "/results.db", "SELECT count(*) FROM units WHERE status = 'done'");
  };
  // The store is locked while the job writes it, so the kill comes at a fixed share of the one-process time:
  // the job (3 ranks on this machine) is then part way through.
  const auto until = std::chrono::steady_clock::now() + one_seconds * 0.35;
  bool killed_one = false;
  int status = 0;
  while (!killed_one) {
    if (::waitpid(pid, &status, WNOHANG) == pid) break;
    if (std::chrono::steady_clock::now() >= until) {
      const pid_t victim = rank_pid(pid, 1);
      ASSERT_NE(victim, 0) << "rank 1 not found";
      ::kill(victim, SIGKILL);
      killed_one = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(killed_one) << "the job finished before a rank could be killed";
  ::waitpid(pid, &status, 0);
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a job that lost a rank does not succeed";
  const auto kept = std::stoi(done()[0]);
  EXPECT_GE(kept, 1) << "the kill came after some units were committed";
  EXPECT_LT(kept, 12) << "the kill came before the end";
  EXPECT_FALSE(fs::exists(dir_ / "killed" / "summary.csv")) << "no CSV file from an unfinished run";
  const auto resumed = run_mpi(2, "run " + exp.string() + " --threads 1 --out " + killed);
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_NE(resumed.out.find(std::to_string(kept) + " resumed from results.db"), std::string::npos) << resumed.out;
  for (const char* sql : {"SELECT * FROM summary ORDER BY point, regime, generation, metric",
                          "SELECT point, regime, status FROM units ORDER BY point, regime"})
    EXPECT_EQ(table_rows(dir_ / "killed" / "results.db", sql), table_rows(dir_ / "one" / "results.db", sql)) << sql;
  EXPECT_EQ(slurp(dir_ / "killed" / "summary.csv"), slurp(dir_ / "one" / "summary.csv"));
}

// Rank 1 starts in another directory, where the experiment's relative data path names nothing: its unit fails,
// and rank 0 stops the job with rank 1's message (exit 2). Only rank 0 needs the store's directory.
TEST_F(Mpi, ARankThatCannotReadTheDataStopsTheJobWithItsMessage) {
  fs::create_directories(dir_ / "here");
  fs::create_directories(dir_ / "elsewhere");
  std::ofstream(dir_ / "here" / "counts.txt") << "5\n3\n2\n";
  // Units long enough (a few ms each) that rank 1 asks for one before rank 0 has run them all.
  const auto exp = write("d.toml", "[experiment]\ngenerations = 300\nreplicates = 200\nsamples = 1000\n[truth]\n"
                                   "family = \"categorical(file=counts.txt)\"\n[model]\nfamily = \"categorical\"\n"
                                   "[sweep]\n\"experiment.seed\" = [1, 2, 3, 4, 5, 6, 7, 8]\n");
  const std::string cli = std::string(OUROBOROS_CLI) + " run " + exp.string() + " --quiet --threads 1 --out " +
                          (dir_ / "out").string();
  const std::string cmd = "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " +
                          std::string(OUROBOROS_MPIEXEC) + " --oversubscribe --mca btl self,vader --mca " +
                          "oob_tcp_if_include lo -n 1 -wdir " + (dir_ / "here").string() + " " + cli + " : -n 1 " +
                          "-wdir " + (dir_ / "elsewhere").string() + " " + cli + " >" + (dir_ / "stdout").string() +
                          " 2>" + (dir_ / "stderr").string();
  const int raw = std::system(cmd.c_str());
  const std::string err = slurp(dir_ / "stderr");
  EXPECT_TRUE(WIFEXITED(raw) && WEXITSTATUS(raw) == 2) << err;
  EXPECT_NE(err.find("ouroboros: error: rank 1 on "), std::string::npos) << err;
  EXPECT_NE(err.find("counts.txt"), std::string::npos) << err;
}

TEST_F(Mpi, KeepingModelFilesOverSeveralProcessesIsRefusedBeforeAnythingIsWritten) {
  const auto exp = write("s.toml", kSweep);
  const auto r = run_mpi(2, "run " + exp.string() + " --set output.checkpoints=true --out " + (dir_ / "m").string());
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("output.checkpoints = true: model files are written where a unit runs"), std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "m"));
}

TEST_F(Mpi, ALauncherThatIsNotOpenMpisIsRefused) {
  const auto exp = write("s.toml", kSweep);
  const int raw = std::system(("env PMI_SIZE=4 " + std::string(OUROBOROS_CLI) + " run " + exp.string() + " --out " +
                                (dir_ / "y").string() + " 2>" + (dir_ / "stderr").string()).c_str());
  EXPECT_TRUE(WIFEXITED(raw) && WEXITSTATUS(raw) == 2);
  const std::string err = slurp(dir_ / "stderr");
  EXPECT_NE(err.find("started as one of 4 processes (PMI_SIZE=4) by a launcher that is not Open MPI's"),
            std::string::npos)
      << err;
  EXPECT_FALSE(fs::exists(dir_ / "y"));
}

// Open MPI lives in a module loaded only under a launcher: a plain start never loads it, and a launcher's start
// with the module missing (a moved build without OUROBOROS_MPI_MODULE) stops with a message that says so.
TEST_F(Mpi, AMissingMpiModuleIsNamedOnlyWhenALauncherStartedTheRun) {
  const auto exp = write("s.toml", kSweep);
  const std::string bogus = "OUROBOROS_MPI_MODULE=" + (dir_ / "no_such_module.so").string();
  const auto plain = run("run " + exp.string() + " --quiet --out " + (dir_ / "plain").string());
  EXPECT_EQ(plain.status, 0) << plain.err;
  const int raw = std::system(("env " + bogus + " " + std::string(OUROBOROS_CLI) + " run " + exp.string() +
                               " --quiet --out " + (dir_ / "moved").string())
                                  .c_str());
  EXPECT_TRUE(WIFEXITED(raw) && WEXITSTATUS(raw) == 0) << "a plain start must not load the module";
  const int launched = std::system(("env OMPI_COMM_WORLD_SIZE=2 " + bogus + " " + std::string(OUROBOROS_CLI) +
                                    " run " + exp.string() + " --out " + (dir_ / "y").string() + " 2>" +
                                    (dir_ / "stderr").string())
                                       .c_str());
  EXPECT_TRUE(WIFEXITED(launched) && WEXITSTATUS(launched) == 2);
  const std::string err = slurp(dir_ / "stderr");
  EXPECT_NE(err.find("started by an MPI launcher, but Open MPI's part of ouroboros is not there"), std::string::npos)
      << err;
  EXPECT_NE(err.find("OUROBOROS_MPI_MODULE"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir_ / "y"));
}

#else

TEST_F(Cli, WithoutMpiAStartByAnMpiLauncherIsRefused) {
  const auto exp = write("s.toml", kSweep);
  const int raw = std::system(("env OMPI_COMM_WORLD_SIZE=3 " + std::string(OUROBOROS_CLI) + " run " + exp.string() +
                                " --out " + (dir_ / "y").string() + " 2>" + (dir_ / "stderr").string()).c_str());
  EXPECT_TRUE(WIFEXITED(raw) && WEXITSTATUS(raw) == 2);
  const std::string err = slurp(dir_ / "stderr");
  EXPECT_NE(err.find("started as one of 3 processes (OMPI_COMM_WORLD_SIZE=3), but this ouroboros was built without "
                     "MPI"),
            std::string::npos)
      << err;
  EXPECT_FALSE(fs::exists(dir_ / "y"));
}

#endif

}  // namespace
