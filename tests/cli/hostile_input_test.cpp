// Input a hostile or careless user gives: every case ends with exit 2 and one line on stderr (values echoed with
// control bytes escaped and long ones cut), never a crash, an internal error or a silently wrong result; a reader
// that closes stdout loses nothing; temporaries of killed runs are cleaned up; an old store is refused.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <chrono>
#include <string>
#include <thread>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/parallel.hpp"
#include "ouroboros/core/stream_layout.hpp"
#include "support/cli_fixture.hpp"

namespace {

using namespace ouro::testing;
namespace fs = std::filesystem;

// Exit 2 with exactly one line on stderr, in the common form, short enough to read, naming `needle`.
void expect_one_line_error(const Result& r, const std::string& needle) {
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  EXPECT_EQ(r.err.rfind("ouroboros: error: ", 0), 0u) << r.err;
  EXPECT_LT(r.err.size(), 2200u);
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
}

TEST(Printable, EscapesControlBytesAndCutsLongValues) {
  EXPECT_EQ(ouro::printable("a\nb\tc\x01"), "a\\nb\\tc\\x01");
  EXPECT_EQ(ouro::printable("\xce\xbb"), "\\xce\\xbb");
  EXPECT_EQ(ouro::printable("\xce\xbb", 120, true), "\xce\xbb");
  EXPECT_EQ(ouro::printable(std::string(200, 'x'), 10), std::string(10, 'x') + "... (190 more bytes)");
}

TEST_F(Cli, DeeplyNestedSpecListsAreRefusedNotACrash) {
  const std::string spec = "categorical(p=" + std::string(40000, '[') + ")";
  const auto exp = write("e.toml", experiment(spec, "categorical"));
  expect_one_line_error(run("run " + exp.string() + " --out " + (dir_ / "out").string()), "nested more than 16 deep");
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(Cli, AVeryLongThresholdIsRefusedInOneShortLine) {
  const auto exp = write("e.toml", experiment("gaussian", "gaussian", "[metrics]\nthresholds = [\"sigma " +
                                                                          std::string(26000, '<') + " 1\"]\n"));
  const auto r = run("run " + exp.string() + " --out " + (dir_ / "out").string());
  expect_one_line_error(r, "more bytes");
  EXPECT_NE(r.err.find("metrics.thresholds"), std::string::npos);
}

TEST_F(Cli, ControlBytesInValuesAreEscaped) {
  const auto exp = write("e.toml", experiment("gaussian", "gaussian", "") + "");
  const auto r = run("run " + exp.string() + " --out " + (dir_ / "out").string() +
                     " --set 'experiment.kernel=\"fast\\u0001\\nslow\"'");
  expect_one_line_error(r, "\\x01\\nslow");
}

TEST_F(Cli, OptionParserErrorsUseTheCommonForm) {
  const auto exp = write("e.toml", experiment("gaussian", "gaussian"));
  expect_one_line_error(run("run " + exp.string() + " --threads abc"), "--threads");
  expect_one_line_error(run("run " + exp.string() + " --threads 5000"), "--threads");
  expect_one_line_error(run("run " + exp.string() + " --no-such-option"), "no-such-option");
}

TEST_F(Cli, SizesBeyondExactCountingAreRefused) {
  const auto exp = write("e.toml", experiment("categorical(dist=uniform, m=10)", "categorical"));
  expect_one_line_error(run("run " + exp.string() + " --set experiment.samples=4611686018427387904"), "2^53");
  // Under accumulate the pool passes 2^53 although each batch does not.
  const auto r = run("run " + exp.string() + " --set experiment.samples=2251799813685248");
  expect_one_line_error(r, "under accumulate");
  const auto poisson = write("p.toml", experiment("poisson(lambda=1e18)", "poisson"));
  expect_one_line_error(run("run " + poisson.string()), "lower lambda");
}

// The memory a run needs is estimated before anything runs: a billion replicates is refused at once (exit 2,
// nothing written), a truth of 2^32 - 1 symbols before it is built, and experiment.memory_limit sets the limit.
TEST_F(Cli, RunsThatCannotFitInMemoryAreRefusedBeforeTheyStart) {
  const auto exp = write("e.toml", experiment("categorical(dist=uniform, m=1000)", "categorical"));
  const auto r = run("run " + exp.string() + " --out " + (dir_ / "out").string() +
                     " --set experiment.replicates=1000000000");
  expect_one_line_error(r, "GiB of memory");
  EXPECT_NE(r.err.find("experiment.memory_limit"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "out"));
  // 2^32 - 1 symbols: 32 GiB of probabilities, refused before they are built where less is available.
  if (ouro::available_memory_bytes() < 30.0 * 1073741824.0) {
    const auto wide = write("w.toml", experiment("categorical(dist=uniform, m=4294967295)", "categorical"));
    expect_one_line_error(run("run " + wide.string()), "for the truth's probabilities alone");
  }
  // 20 replicates of a 10^5-symbol categorical need some MiB: refused under a 1 MiB limit, run under the default.
  const auto small = write("s.toml", experiment("categorical(dist=uniform, m=100000)", "categorical"));
  expect_one_line_error(run("run " + small.string() + " --set experiment.memory_limit=0.001"), "0.001 GiB");
  EXPECT_EQ(run("run " + small.string() + " --set output.forgetting=false --out " + (dir_ / "small").string()).status,
            0);
  // The sample kernel's pool under accumulate: 10 chains of 10^8 doubles x 100 generations.
  const auto pool = write("p.toml", experiment("gaussian", "gaussian", "", "[\"accumulate\"]"));
  expect_one_line_error(run("run " + pool.string() + " --set experiment.kernel=sample --set experiment.samples=100000000"
                                                     " --set experiment.generations=100 --set experiment.memory_limit=64"),
                        "under accumulate");
}

TEST_F(Cli, HugeGenerationAndThreadCountsAreRefused) {
  const auto exp = write("e.toml", experiment("gaussian", "gaussian"));
  expect_one_line_error(run("run " + exp.string() + " --set experiment.generations=10000000000"),
                        "experiment.generations");
  expect_one_line_error(run("run " + exp.string() + " --set experiment.threads=4294967296"), "experiment.threads");
}

TEST_F(Cli, ZipfWithUnderflowingProbabilitiesIsRefused) {
  const auto exp = write("e.toml", experiment("categorical(dist=zipf, m=1000, b=2.7, a=1000)", "categorical"));
  expect_one_line_error(run("run " + exp.string()), "below the smallest double");
}

TEST_F(Cli, CountsFilesThatCannotGiveASampleSizeAreRefused) {
  write("frac.txt", "a 1.5\nb 3.25\n");
  const auto exp = write("e.toml", "[experiment]\ngenerations = 2\nreplicates = 3\nsamples = \"real\"\n[truth]\n"
                                   "family = \"categorical(file=" + (dir_ / "frac.txt").string() + ")\"\n[model]\n"
                                   "family = \"categorical\"\n");
  expect_one_line_error(run("run " + exp.string()), "not a whole number");
  const auto dev = write("d.toml", experiment("categorical(file=/dev/zero)", "categorical"));
  expect_one_line_error(run("run " + dev.string()), "not a regular file");
}

// `ouroboros run ... | head -c 20`: the run finishes (exit 0) and writes every file although its reader left.
TEST_F(Cli, AClosedStdoutLosesNothing) {
  const auto exp = write("e.toml", experiment("gaussian", "gaussian(estimator=unbiased)"));
  const std::string cmd = "bash -c '" + std::string(OUROBOROS_CLI) + " run " + exp.string() + " --out " +
                          (dir_ / "out").string() + " | head -c 20 >/dev/null; exit ${PIPESTATUS[0]}'";
  const int raw = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(raw));
  EXPECT_EQ(WEXITSTATUS(raw), 0);
  EXPECT_TRUE(fs::exists(dir_ / "out" / "summary.csv"));
  EXPECT_TRUE(fs::exists(dir_ / "out" / "manifest.json"));
  for (const auto& e : fs::directory_iterator(dir_ / "out"))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
}

// A temporary left by a process that no longer exists is removed by the next run in that directory; one of a
// live process is not.
TEST_F(Cli, StaleTemporariesOfDeadRunsAreRemoved) {
  const auto exp = write("e.toml", experiment("gaussian", "gaussian"));
  ASSERT_EQ(run("run " + exp.string() + " --out " + (dir_ / "out").string()).status, 0);
  // A pid above the kernel's pid_max (4194304 at most) belongs to no process.
  const fs::path stale = dir_ / "out" / ".summary.csv.tmp-4194999-0123456789abcdef";
  const fs::path live = dir_ / "out" / (".summary.csv.tmp-" + std::to_string(::getpid()) + "-0123456789abcdef");
  std::ofstream(stale) << "half a file";
  std::ofstream(live) << "still being written";
  ASSERT_EQ(run("run " + exp.string() + " --out " + (dir_ / "out").string()).status, 0);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));
}

// output.dir must be new, empty or an earlier Ouroboros output; files this program did not write are never deleted,
// and an earlier run's outputs that the new run does not produce are removed only when its manifest lists them.
TEST_F(Cli, OutputDirectoriesAreOursOnly) {
  const auto exp = write("e.toml", experiment("gaussian", "gaussian"));
  fs::create_directories(dir_ / "theirs");
  std::ofstream(dir_ / "theirs" / "notes.txt") << "a researcher's notes";
  std::ofstream(dir_ / "theirs" / "trajectories.csv") << "not ours";
  expect_one_line_error(run("run " + exp.string() + " --out " + (dir_ / "theirs").string()),
                        "not an Ouroboros output");
  EXPECT_EQ(slurp(dir_ / "theirs" / "trajectories.csv"), "not ours");
  EXPECT_EQ(fs::directory_iterator(dir_ / "theirs") != fs::directory_iterator(), true);
  // Ours: an earlier run with trajectories, then one without: its trajectories.csv goes (the manifest listed it).
  const std::string out = (dir_ / "ours").string();
  ASSERT_EQ(run("run " + exp.string() + " --out " + out + " --set output.trajectories=true").status, 0);
  ASSERT_TRUE(fs::exists(dir_ / "ours" / "trajectories.csv"));
  std::ofstream(dir_ / "ours" / "forgetting.csv") << "a file the manifest does not list";
  ASSERT_EQ(run("run " + exp.string() + " --out " + out + " --fresh").status, 0);
  EXPECT_FALSE(fs::exists(dir_ / "ours" / "trajectories.csv"));
  EXPECT_EQ(slurp(dir_ / "ours" / "forgetting.csv"), "a file the manifest does not list");
  // A name that is not UTF-8 cannot go into the manifest: refused before anything is written.
  expect_one_line_error(run("run " + exp.string() + " --out " + (dir_ / "bad\xff").string()), "not valid UTF-8");
}

TEST_F(Cli, AStoreOfAnotherSchemaIsRefused) {
  const auto exp = write("e.toml", experiment("gaussian", "gaussian"));
  const std::string out = (dir_ / "out").string();
  ASSERT_EQ(run("run " + exp.string() + " --out " + out).status, 0);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "out" / "results.db").c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "PRAGMA user_version = 1", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  expect_one_line_error(run("run " + exp.string() + " --out " + out), "store schema 1");
  EXPECT_EQ(run("run " + exp.string() + " --out " + out + " --fresh").status, 0);
}

TEST_F(Cli, AStoreOfAnotherStreamLayoutIsNotResumed) {
  // A store made under another layout of the random streams would mix two layouts' draws in one run: refused
  // with both layouts named, and the store left as it was. A store from before the layout was recorded has
  // layout 1.
  const auto exp =
      write("e.toml", experiment("categorical(dist=zipf, m=50, a=1.1, b=0)", "categorical(estimator=mle)"));
  const std::string out = (dir_ / "out").string();
  ASSERT_EQ(run("run " + exp.string() + " --out " + out).status, 0);
  const auto manifest = nlohmann::json::parse(slurp(dir_ / "out" / "manifest.json"));
  EXPECT_EQ(manifest.at("stream_layout"), ouro::kStreamLayout);
  const auto store = [&](const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "out" / "results.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
    sqlite3_close(db);
  };
  const std::string other = std::to_string(ouro::kStreamLayout + 1);
  store("UPDATE run SET value = '" + other + "' WHERE key = 'stream_layout'");
  const std::string before = slurp(dir_ / "out" / "results.db");
  expect_one_line_error(run("run " + exp.string() + " --out " + out),
                        "made with random-stream layout " + other +
                            ", and this version of Ouroboros draws with layout " +
                            std::to_string(ouro::kStreamLayout));
  EXPECT_EQ(slurp(dir_ / "out" / "results.db"), before);
  store("DELETE FROM run WHERE key = 'stream_layout'");
  const auto missing = run("run " + exp.string() + " --out " + out);
  if (ouro::kStreamLayout == 1)
    EXPECT_EQ(missing.status, 0);
  else
    EXPECT_NE(missing.status, 0);
  EXPECT_EQ(run("run " + exp.string() + " --out " + out + " --fresh").status, 0);
}

// SIGINT in the middle of one long block of generations is answered at once, not at the block's end.
TEST_F(Cli, InterruptIsAnsweredInsideALongBlock) {
  // The sample kernel at n = 200000: a generation takes milliseconds, a block of 4096 of them seconds.
  const auto exp = write("e.toml", "[experiment]\ngenerations = 100000\nreplicates = 2\nsamples = 200000\n"
                                   "kernel = \"sample\"\n[truth]\nfamily = \"gaussian\"\n[model]\n"
                                   "family = \"gaussian\"\n[metrics]\nselect = [\"sigma\"]\n");
  const std::string out = (dir_ / "out").string(), path = exp.string();
  std::vector<char*> argv{const_cast<char*>(OUROBOROS_CLI), const_cast<char*>("run"), const_cast<char*>(path.c_str()),
                          const_cast<char*>("--quiet"), const_cast<char*>("--out"), const_cast<char*>(out.c_str()),
                          nullptr};
  pid_t pid;
  ASSERT_EQ(posix_spawn(&pid, OUROBOROS_CLI, nullptr, nullptr, argv.data(), environ), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::kill(pid, SIGINT);
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  ::waitpid(pid, &status, 0);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  // Generous: a poll per block of generations would take seconds here.
  EXPECT_LT(seconds, 5.0);
}

}  // namespace

namespace {

using namespace ouro::testing;

// The extreme-size grid: every family under every kind of regime at sizes near the limits (one sample, and 2^40
// samples per generation) ends with exit 0 and a complete set of files, or exit 2 and one line; never a crash, an
// internal error or a hang.
TEST_F(Cli, ExtremeSizesOverEveryFamilyAndRegimeEndInResultsOrOneLine) {
  const std::vector<std::pair<std::string, std::string>> families{
      {"bernoulli(p=0.3)", "bernoulli"},
      {"bs_spike", "bs_spike"},
      {"bs_staircase", "bs_staircase"},
      {"categorical(dist=zipf, m=20, a=1.2)", "categorical"},
      {"exponential(rate=2)", "exponential"},
      {"gaussian(mean=1, sd=2)", "gaussian(estimator=unbiased)"},
      {"gmm(k=2, d=2)", "gmm"},
      {"kde", "kde"},
      {"linear_regression(d=3)", "linear_regression"},
      {"kernel_ridge(data='" OUROBOROS_SOURCE_DIR "/tests/data/fashion_tiny', train_size=20, test_size=10)",
       "kernel_ridge"},
      {"gmm_symmetric", "gmm_symmetric"},
      {"multivariate_gaussian(d=2)", "multivariate_gaussian"},
      {"ngram(corpus='" OUROBOROS_SOURCE_DIR "/tests/data/corpus/small')", "ngram"},
      {"poisson(lambda=2.5)", "poisson"},
      {"power(theta=0.3)", "power"},
  };
  const std::vector<std::string> regimes{"replace", "accumulate", "grow", "accumulate_subsample(size=1)",
                                         "fresh_mix(real_fraction=0.5)", "keep_real(fraction=0.5)", "augment(ratio=1)",
                                         "accumulate(ratio=0.5)"};
  int runs = 0, ok = 0, refused = 0;
  for (const auto& [truth, model] : families)
    for (const auto& regime : regimes)
      for (const char* n : {"1", "1099511627776"}) {
        const auto exp = write("x.toml", "[experiment]\ngenerations = 3\nreplicates = 2\nsamples = " + std::string(n) +
                                             "\nregimes = [\"" + regime + "\"]\n[truth]\nfamily = \"" + truth +
                                             "\"\n[model]\nfamily = \"" + model + "\"\n");
        const std::string out = (dir_ / ("o" + std::to_string(runs++))).string();
        const auto r = run("run " + exp.string() + " --quiet --threads 2 --out " + out);
        const std::string what = truth + " " + regime + " n=" + n + ": " + r.err;
        ASSERT_TRUE(r.status == 0 || r.status == 2) << what;
        if (r.status == 0) {
          ++ok;
          EXPECT_TRUE(fs::exists(fs::path(out) / "summary.csv")) << what;
          EXPECT_TRUE(fs::exists(fs::path(out) / "manifest.json")) << what;
        } else {
          ++refused;
          EXPECT_EQ(lines(r.err).size(), 1u) << what;
          EXPECT_FALSE(fs::exists(fs::path(out))) << what << " (a refused run writes nothing)";
        }
      }
  // Both outcomes occur: the grid reaches the limits from both sides.
  EXPECT_GT(ok, 0);
  EXPECT_GT(refused, 0);
}

}  // namespace

namespace {

using namespace ouro::testing;

// A write that fails for want of space (here the file-size limit, EFBIG, as a full disk gives ENOSPC) leaves the
// earlier complete set of files as it was, and the message names the reason.
TEST_F(Cli, AFailedWriteLeavesTheEarlierSetWhole) {
  const auto exp = write("e.toml", experiment("gaussian", "gaussian(estimator=unbiased)"));
  const std::string out = (dir_ / "out").string();
  ASSERT_EQ(run("run " + exp.string() + " --quiet --out " + out).status, 0);
  const std::string summary = slurp(dir_ / "out" / "summary.csv"), manifest = slurp(dir_ / "out" / "manifest.json");
  // 200 generations x 20 replicates write far more than the 64 KiB allowed.
  const std::string cmd = "bash -c \"trap '' XFSZ; ulimit -f 64; " + std::string(OUROBOROS_CLI) + " run " +
                          exp.string() + " --quiet --out " + out +
                          " --fresh --set experiment.generations=2000 --set output.trajectories=true\" 2>" +
                          (dir_ / "err").string();
  const int raw = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(raw));
  EXPECT_NE(WEXITSTATUS(raw), 0);
  const std::string err = slurp(dir_ / "err");
  EXPECT_EQ(lines(err).size(), 1u) << err;
  EXPECT_NE(err.find("File too large"), std::string::npos) << err;  // the operating system's reason
  EXPECT_EQ(slurp(dir_ / "out" / "summary.csv"), summary);
  EXPECT_EQ(slurp(dir_ / "out" / "manifest.json"), manifest);
  EXPECT_FALSE(fs::exists(dir_ / "out" / "trajectories.csv"));
}

// A symbolic link planted where an output goes is replaced by the file, never written through.
TEST_F(Cli, APlantedSymlinkIsNotFollowed) {
  const auto exp = write("e.toml", experiment("gaussian", "gaussian"));
  const std::string out = (dir_ / "out").string();
  ASSERT_EQ(run("run " + exp.string() + " --quiet --out " + out).status, 0);
  std::ofstream(dir_ / "precious.txt") << "keep me";
  fs::remove(dir_ / "out" / "summary.csv");
  fs::create_symlink(dir_ / "precious.txt", dir_ / "out" / "summary.csv");
  ASSERT_EQ(run("run " + exp.string() + " --quiet --fresh --out " + out).status, 0);
  EXPECT_EQ(slurp(dir_ / "precious.txt"), "keep me");
  EXPECT_FALSE(fs::is_symlink(dir_ / "out" / "summary.csv"));
}

}  // namespace

namespace {

using namespace ouro::testing;

// Inputs the reliability probe saw end in an internal error: each now runs or is refused (exit 0 or 2), never 1.
TEST_F(Cli, ProbeInputsEndInResultsOrARefusal) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"gaussian(sd=1e-320)", "gaussian"},
      {"gaussian(sd=1e-320)", "gaussian(estimator=optimized)"},
      {"linear_regression(d=3)", "linear_regression(downstream_lambda_exponent=-5, downstream_samples=20)"},
      {"linear_regression(d=3)", "linear_regression(estimator=ridge, lambda_exponent=-5)"},
  };
  int i = 0;
  for (const auto& [truth, model] : cases)
    for (const char* kernel : {"statistics", "sample"}) {
      const auto exp = write("p.toml", experiment(truth, model, "", "[\"replace\", \"accumulate\", \"grow\"]"));
      const auto r = run("run " + exp.string() + " --quiet --set experiment.kernel=" + kernel + " --out " +
                         (dir_ / ("o" + std::to_string(i++))).string());
      EXPECT_TRUE(r.status == 0 || r.status == 2) << truth << " / " << model << " (" << kernel << "): " << r.err;
    }
}

}  // namespace
