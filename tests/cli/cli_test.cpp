// The `ouroboros` program end to end: output files and their schema, thread-count independence, bad input
// (exit 2, one line naming the key, nothing written), and interruption (exit 130 or 143, only the store left).
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "support/cli_fixture.hpp"

extern char** environ;

namespace {

using namespace ouro::testing;
namespace fs = std::filesystem;

TEST_F(Cli, WritesSummaryAndManifestWithTheDocumentedSchema) {
  const auto exp = write("e.toml", experiment("gaussian(mean=0, sd=1)", "gaussian(estimator=unbiased)",
                                              "[metrics]\nthresholds = [\"sigma > 0.5\"]\n"));
  const auto r = run("run " + exp.string() + " --out " + (dir_ / "out").string());
  ASSERT_EQ(r.status, 0) << r.err;
  const auto summary = lines(slurp(dir_ / "out" / "summary.csv"));
  ASSERT_FALSE(summary.empty());
  EXPECT_EQ(summary[0],
            "regime,generation,metric,mean,sd,se,ci_lo,ci_hi,q05,q50,q95,finite,theory_lo,theory,theory_hi,theory_kind,"
            "theory_source");
  // 2 regimes x 7 generations (0..6) x (8 gaussian metrics + 1 threshold)
  EXPECT_EQ(summary.size(), 1u + 2 * 7 * 9);
  for (std::size_t i = 1; i < summary.size(); ++i) {
    // 17 fields: commas outside quotes (a theory_source may hold commas, and is then quoted)
    bool quoted = false;
    int commas = 0;
    for (const char c : summary[i]) {
      quoted = c == '"' ? !quoted : quoted;
      commas += c == ',' && !quoted;
    }
    EXPECT_EQ(commas, 16) << summary[i];
  }
  const auto manifest = nlohmann::json::parse(slurp(dir_ / "out" / "manifest.json"));
  for (const char* key : {"config", "seed", "git_commit", "ouroboros_version", "regimes", "wall_seconds", "machine",
                          "family", "files", "threads"})
    EXPECT_TRUE(manifest.contains(key)) << key;
  EXPECT_EQ(manifest["regimes"][0]["kernel"], "statistics");
  EXPECT_EQ(manifest["config"]["experiment"]["replicates"], 20);
  EXPECT_EQ(manifest["family"]["variance_divisor"], "n - 1 (ddof 1)");
  EXPECT_FALSE(fs::exists(dir_ / "out" / "trajectories.csv"));
  EXPECT_FALSE(fs::exists(dir_ / "out" / "forgetting.csv"));
  for (const auto& entry : fs::directory_iterator(dir_ / "out"))
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << "temporary file left behind";
  EXPECT_NE(r.out.find("sigma>0.5"), std::string::npos) << "the stdout table shows the threshold metric";
}

// A table listing generations past G (after --set experiment.generations=2) drops them, says so once on stderr,
// and runs; --quiet says nothing.
TEST_F(Cli, TableGenerationsPastTheLastAreDroppedWithOneNote) {
  const auto exp = write("e.toml", experiment("gaussian", "gaussian", "[output]\ntable = [1, 2, 5, 50]\n"));
  const auto r = run("run " + exp.string() + " --set experiment.generations=2 --out " + (dir_ / "t").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("output.table: generation(s) 5, 50 past the last generation 2 not shown"), std::string::npos)
      << r.err;
  const auto q = run("run " + exp.string() + " --quiet --set experiment.generations=2 --out " + (dir_ / "q").string());
  ASSERT_EQ(q.status, 0) << q.err;
  EXPECT_EQ(q.err, "");
}

TEST_F(Cli, SummaryIsIdenticalForAnyThreadCount) {
  const auto exp = write("e.toml", experiment("categorical(dist=zipf, m=50, a=1, b=0)", "categorical",
                                              "[output]\ntrajectories = true\n"));
  ASSERT_EQ(run("run " + exp.string() + " --quiet --threads 1 --out " + (dir_ / "a").string()).status, 0);
  ASSERT_EQ(run("run " + exp.string() + " --quiet --threads 3 --out " + (dir_ / "b").string()).status, 0);
  for (const char* f : {"summary.csv", "trajectories.csv", "forgetting.csv"})
    EXPECT_EQ(slurp(dir_ / "a" / f), slurp(dir_ / "b" / f)) << f;
}

TEST_F(Cli, TrajectoriesEveryKAndForgettingRows) {
  const auto exp = write("e.toml", experiment("categorical(dist=uniform, m=8)", "categorical",
                                              "[output]\ntrajectories = 3\n", "[\"replace\"]"));
  ASSERT_EQ(run("run " + exp.string() + " --quiet --out " + (dir_ / "o").string()).status, 0);
  const auto traj = lines(slurp(dir_ / "o" / "trajectories.csv"));
  EXPECT_EQ(traj[0], "regime,replicate,generation,metric,value");
  // generations 0, 3, 6 x 20 replicates x 4 metrics
  EXPECT_EQ(traj.size(), 1u + 3 * 20 * 4);
  const auto forgetting = lines(slurp(dir_ / "o" / "forgetting.csv"));
  EXPECT_EQ(forgetting[0], "regime,replicate,symbol,original_count,forgotten_at");
  EXPECT_EQ(forgetting.size(), 1u + 20 * 8);
}

TEST_F(Cli, SampleKernelFallbackIsRecorded) {
  const auto exp = write("e.toml", experiment("gaussian", "gaussian", "", "[\"accumulate_subsample(size=5)\"]"));
  ASSERT_EQ(run("run " + exp.string() + " --quiet --out " + (dir_ / "o").string()).status, 0);
  const auto manifest = nlohmann::json::parse(slurp(dir_ / "o" / "manifest.json"));
  EXPECT_EQ(manifest["regimes"][0]["kernel"], "sample");
  EXPECT_TRUE(manifest["regimes"][0].contains("kernel_note"));
}

struct BadInput {
  std::string name, toml, args, expected;
};

class CliBadInput : public Cli, public ::testing::WithParamInterface<BadInput> {};

TEST_P(CliBadInput, ExitsTwoWithOneLineNamingTheProblemAndWritesNothing) {
  const auto& c = GetParam();
  const auto exp = write("e.toml", c.toml);
  const auto r = run("run " + exp.string() + " --out " + (dir_ / "out").string() + " " + c.args);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find(c.expected), std::string::npos) << "stderr: " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "out")) << "bad input writes nothing, not even the store";
}

const std::string kGood = "[experiment]\ngenerations = 3\nsamples = 10\n[truth]\nfamily = \"gaussian\"\n[model]\nfamily = \"gaussian\"\n";

INSTANTIATE_TEST_SUITE_P(
    Cases, CliBadInput,
    ::testing::Values(
        BadInput{"MalformedToml", "[experiment\ngenerations = 3\n", "", "malformed TOML"},
        BadInput{"UnknownKey", kGood + "[output]\ndirr = \"x\"\n", "", "unknown key output.dirr"},
        BadInput{"UnknownSection", kGood + "[outputs]\n", "", "unknown section [outputs]"},
        BadInput{"UnknownFamily", "[experiment]\ngenerations = 3\nsamples = 10\n[truth]\nfamily = \"gausian\"\n[model]\nfamily = \"gausian\"\n", "",
                 "unknown family 'gausian'"},
        BadInput{"FamilyMismatch", "[experiment]\ngenerations = 3\nsamples = 10\n[truth]\nfamily = \"gaussian\"\n[model]\nfamily = \"poisson\"\n", "",
                 "model.family"},
        BadInput{"UnknownModelParameter", kGood, "--set 'model.family=\"gaussian(ddof=1)\"'", "unknown parameter 'ddof'"},
        BadInput{"UnknownRegime", kGood, "--set 'experiment.regimes=[\"recycle\"]'", "unknown regime 'recycle'"},
        BadInput{"UnknownThresholdMetric", kGood + "[metrics]\nthresholds = [\"sigmaa > 1\"]\n", "", "unknown metric 'sigmaa'"},
        BadInput{"UnbiasedNeedsTwoSamples", kGood, "--set experiment.samples=1 --set 'model.family=\"gaussian(estimator=unbiased)\"'",
                 "too small"},
        BadInput{"ProbabilitiesDoNotSumToOne", kGood,
                 "--set 'truth.family=\"categorical(p=[0.5, 0.4])\"' --set 'model.family=\"categorical\"'", "must sum to 1"},
        BadInput{"ZeroSamples", kGood, "--set experiment.samples=0", "experiment.samples"},
        BadInput{"NegativeReplicates", kGood, "--set experiment.replicates=-1", "experiment.replicates"},
        BadInput{"SamplesListWrongLength", kGood, "--set 'experiment.samples=[5, 6]'", "one n per generation"},
        BadInput{"SubsampleLargerThanPool", kGood, "--set 'experiment.regimes=[\"accumulate_subsample(size=11)\"]'",
                 "larger than the pool"},
        BadInput{"MissingCountsFile", kGood,
                 "--set 'truth.family=\"categorical(file=/nonexistent/counts.txt)\"' --set 'model.family=\"categorical\"'",
                 "cannot be opened"},
        BadInput{"ParameterDoesNotApply", kGood,
                 "--set 'truth.family=\"categorical(dist=zipf, m=10, p=[1])\"' --set 'model.family=\"categorical\"'",
                 "parameter 'p' does not apply"},
        BadInput{"NegativeSd", kGood, "--set 'truth.family=\"gaussian(sd=-1)\"'", "'sd=-1' must be > 0"},
        BadInput{"BadKernel", kGood, "--set experiment.kernel=fast", "experiment.kernel"},
        BadInput{"BadOverride", kGood, "--set replicates=3", "--set 'replicates=3'"},
        BadInput{"SweepUnknownKey", kGood + "[sweep]\n\"experiment.sample\" = [1, 2]\n", "",
                 "sweep: unknown key \"experiment.sample\""},
        BadInput{"SweepEmptyList", kGood + "[sweep]\n\"experiment.samples\" = []\n", "",
                 "\"experiment.samples\" = []: give at least one value"},
        BadInput{"SweepZipLengths", kGood + "[sweep]\n\"experiment.samples\" = [5, 6]\n\"experiment.seed\" = [1, 2, 3]\n"
                 "zip = [[\"experiment.samples\", \"experiment.seed\"]]\n", "", "zipped lists need equal lengths"},
        BadInput{"SweepInvalidPoint", kGood + "[sweep]\n\"experiment.samples\" = [5, 0]\n", "",
                 "sweep point 1 (experiment.samples=0)"},
        BadInput{"SweepInvalidPointForFamily", kGood + "[sweep]\n\"truth.family\" = [\"gaussian\", \"gaussian(sd=-2)\"]\n",
                 "", "sweep point 1 (truth.family=gaussian(sd=-2))"},
        BadInput{"SweepKeySetToo", kGood + "[sweep]\n\"experiment.samples\" = [5, 6]\n", "--set experiment.samples=7",
                 "the key is swept"},
        BadInput{"FamilyParameterUnknown", kGood, "--set model.family.ddof=1", "unknown parameter 'ddof'"},
        BadInput{"FamilyParameterNotAValue", kGood, "--set 'model.family.estimator=[1, 2]'",
                 "a family parameter takes a number or a word"},
        BadInput{"SweptFamilyParameterInvalid", kGood + "[sweep]\n\"truth.family.sd\" = [1, -2]\n", "",
                 "sweep point 1 (truth.family.sd=-2)"},
        BadInput{"FigureXNotSwept", kGood + "[figure]\nx = \"sd\"\n[sweep]\n\"experiment.samples\" = [5, 6]\n", "",
                 "figure.x = \"sd\": must be \"generation\" or a swept key (experiment.samples)"},
        BadInput{"FigureXWithoutSweep", kGood + "[figure]\nx = \"samples\"\n", "", "the file has no [sweep]"},
        BadInput{"FigureGenerationsPastTheEnd", kGood + "[figure]\ngenerations = [1, 4]\n", "",
                 "every entry must be a generation in 0..3"}),
    [](const auto& info) { return info.param.name; });

// families --json: every registered family, with its metrics and parameters as the text listing shows them.
TEST_F(Cli, FamiliesAsJson) {
  const auto r = run("families --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto all = nlohmann::json::parse(r.out);
  ASSERT_GE(all.size(), 15u);
  const auto gaussian = std::find_if(all.begin(), all.end(), [](const auto& f) { return f["name"] == "gaussian"; });
  ASSERT_NE(gaussian, all.end());
  EXPECT_EQ((*gaussian)["metrics"][0]["name"], "mean");
  EXPECT_TRUE((*gaussian)["weighted_fit"].get<bool>());
  EXPECT_EQ((*gaussian)["truth_params"][1]["name"], "sd");
  EXPECT_EQ((*gaussian)["truth_params"][1]["default"], "1");
  const auto one = nlohmann::json::parse(run("families bernoulli --json").out);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_TRUE(one[0]["metrics"][1]["indicator"].get<bool>()) << "alive is a 0/1 metric";
}

TEST_F(Cli, MissingExperimentFile) {
  const auto r = run("run " + (dir_ / "absent.toml").string());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("cannot read experiment file"), std::string::npos) << r.err;
}

TEST_F(Cli, HelpAndFamilies) {
  const auto help = run("run --help");
  EXPECT_EQ(help.status, 0);
  for (const char* s : {"--set", "--out", "--threads", "--quiet", "summary.csv", "trajectories.csv", "forgetting.csv",
                        "accumulate_subsample", "fresh_mix"})
    EXPECT_NE(help.out.find(s), std::string::npos) << s;
  const auto families = run("families");
  EXPECT_EQ(families.status, 0);
  for (const char* s : {"bernoulli", "categorical", "gaussian", "multivariate_gaussian", "poisson"})
    EXPECT_NE(families.out.find(std::string(s) + ":"), std::string::npos) << s;
  EXPECT_EQ(run("families nosuch").status, 2);
}

// Interrupted by SIGINT (exit 130) or SIGTERM (exit 143): no CSV file and no temporary file, only the results
// store, which holds the units finished before the signal (none here: the one unit is far from done).
TEST_F(Cli, InterruptedRunLeavesOnlyTheStore) {
  const auto exp = write("e.toml", "[experiment]\ngenerations = 2000000\nreplicates = 200\nsamples = 10\n"
                                   "[truth]\nfamily = \"gaussian\"\n[model]\nfamily = \"gaussian\"\n");
  for (const auto& [signal, code] : {std::pair{SIGINT, 130}, std::pair{SIGTERM, 143}}) {
    const std::string out = (dir_ / ("out" + std::to_string(signal))).string();
    const std::string exp_path = exp.string();
    std::vector<char*> argv{const_cast<char*>(OUROBOROS_CLI), const_cast<char*>("run"), const_cast<char*>(exp_path.c_str()),
                            const_cast<char*>("--quiet"), const_cast<char*>("--out"), const_cast<char*>(out.c_str()), nullptr};
    pid_t pid;
    ASSERT_EQ(posix_spawn(&pid, OUROBOROS_CLI, nullptr, nullptr, argv.data(), environ), 0);
    // Wait until the run has started (its store exists), then interrupt it.
    for (int i = 0; i < 500 && !fs::exists(fs::path(out) / "results.db"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ::kill(pid, signal);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), code);
    for (const auto& entry : fs::directory_iterator(out)) {
      const std::string name = entry.path().filename().string();
      EXPECT_TRUE(name.rfind("results.db", 0) == 0 || name == ".units")
          << "an interrupted run leaves only its store (and the row chunks of finished units), found " << name;
    }
  }
}

}  // namespace
