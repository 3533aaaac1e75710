// output.checkpoints and `ouroboros model`: every generation's model of every replicate is kept, under either
// scheduler, and reading a file back gives the metrics the run recorded for that replicate and generation, bit for
// bit; samples drawn from a kept model follow it; bad files and families without archivable models are refused
// with exit 2.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "support/cli_fixture.hpp"

namespace {

using namespace ouro::testing;
namespace fs = std::filesystem;

// (regime, replicate, generation, metric) -> value, from trajectories.csv (no regime here holds a comma).
std::map<std::tuple<std::string, int, int, std::string>, double> trajectories(const fs::path& file) {
  std::map<std::tuple<std::string, int, int, std::string>, double> out;
  const auto rows = lines(slurp(file));
  for (std::size_t i = 1; i < rows.size(); ++i) {
    std::istringstream in(rows[i]);
    std::string regime, replicate, generation, metric, value;
    std::getline(in, regime, ',');
    std::getline(in, replicate, ',');
    std::getline(in, generation, ',');
    std::getline(in, metric, ',');
    std::getline(in, value);
    out[{regime, std::stoi(replicate), std::stoi(generation), metric}] = std::stod(value);
  }
  return out;
}

class ModelFiles : public Cli, public ::testing::WithParamInterface<const char*> {};

TEST_P(ModelFiles, EveryKeptModelGivesTheRecordedMetricsExactly) {
  const auto exp = write("e.toml", "[experiment]\ngenerations = 4\nreplicates = 3\nseed = 7\nsamples = 25\n"
                                   "regimes = [\"replace\", \"accumulate\", \"accumulate_subsample(size=20)\"]\n"
                                   "scheduler = \"" + std::string(GetParam()) + "\"\n"
                                   "[truth]\nfamily = \"gaussian(mean=1, sd=2)\"\n[model]\nfamily = \"gaussian\"\n"
                                   "[output]\ntrajectories = true\ncheckpoints = true\n");
  const auto out = dir_ / "out";
  const auto r = run("run " + exp.string() + " --quiet --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  const auto recorded = trajectories(out / "trajectories.csv");
  std::size_t compared = 0;
  for (const auto& [regime, folder] : {std::pair{"replace", "p0-replace"}, std::pair{"accumulate", "p0-accumulate"},
                                       std::pair{"accumulate_subsample(size=20)", "p0-accumulate_subsample_size=20_"}})
    for (int rep = 0; rep < 3; ++rep)
      for (int g = 1; g <= 4; ++g) {
        const auto file = out / "models" / folder / ("r" + std::to_string(rep) + "-g" + std::to_string(g) + ".model");
        ASSERT_TRUE(fs::exists(file)) << file;
        const auto m = run("model " + file.string() + " --json");
        ASSERT_EQ(m.status, 0) << m.err;
        const auto j = nlohmann::json::parse(m.out);
        EXPECT_EQ(j["header"]["regime"], regime);
        EXPECT_EQ(j["header"]["replicate"], rep);
        EXPECT_EQ(j["header"]["generation"], g);
        EXPECT_EQ(j["header"]["seed"], 7);
        for (const auto& [metric, value] : j["metrics"].items()) {
          const auto it = recorded.find({regime, rep, g, metric});
          ASSERT_NE(it, recorded.end()) << metric;
          if (value.is_null()) {
            EXPECT_FALSE(std::isfinite(it->second)) << metric;
          } else {
            EXPECT_EQ(value.get<double>(), it->second) << regime << " r" << rep << " g" << g << " " << metric;
            ++compared;
          }
        }
      }
  EXPECT_EQ(compared, 3u * 3 * 4 * 8);
  // Nothing but the 36 model files: no temporaries, no generation 0 (the truth is the experiment file's).
  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(out / "models")) files += e.is_regular_file();
  EXPECT_EQ(files, 36u);
}

INSTANTIATE_TEST_SUITE_P(Schedulers, ModelFiles, ::testing::Values("generation", "replicate"));

TEST_F(Cli, SamplesOfAKeptModelFollowItAndRepeatWithTheirSeed) {
  const auto exp = write("e.toml", "[experiment]\ngenerations = 2\nreplicates = 1\nsamples = 40\nregimes = [\"replace\"]\n"
                                   "[truth]\nfamily = \"gaussian(mean=3, sd=0.5)\"\n[model]\nfamily = \"gaussian\"\n"
                                   "[output]\ncheckpoints = true\n");
  ASSERT_EQ(run("run " + exp.string() + " --quiet --out " + (dir_ / "o").string()).status, 0);
  const std::string file = (dir_ / "o" / "models" / "p0-replace" / "r0-g2.model").string();
  const auto info = nlohmann::json::parse(run("model " + file + " --json").out);
  const double mean = info["metrics"]["mean"], sigma = info["metrics"]["sigma"];
  const int n = 40000;
  const auto a = run("model " + file + " --samples " + std::to_string(n) + " --seed 5");
  ASSERT_EQ(a.status, 0) << a.err;
  const auto xs = lines(a.out);
  ASSERT_EQ(xs.size(), static_cast<std::size_t>(n));
  double s1 = 0, s2 = 0;
  for (const auto& x : xs) {
    const double v = std::stod(x);
    s1 += v;
    s2 += v * v;
  }
  const double m = s1 / n, var = s2 / n - m * m;
  // 5 standard errors: the mean's is sigma / sqrt(n), the variance's about sigma^2 sqrt(2 / n) for a normal.
  EXPECT_NEAR(m, mean, 5 * sigma / std::sqrt(n));
  EXPECT_NEAR(var, sigma * sigma, 5 * sigma * sigma * std::sqrt(2.0 / n));
  EXPECT_EQ(run("model " + file + " --samples " + std::to_string(n) + " --seed 5").out, a.out);
  EXPECT_NE(run("model " + file + " --samples 10 --seed 6").out, run("model " + file + " --samples 10").out);
  // The plain form names the file, the unit and every metric.
  const auto text = run("model " + file);
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("point 0, regime replace, replicate 0, generation 2"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("mean_sq_error"), std::string::npos) << text.out;
}

TEST_F(Cli, ModelFilesThatAreMissingForeignOrDamagedAreRefused) {
  const auto exp = write("e.toml", "[experiment]\ngenerations = 1\nreplicates = 1\nsamples = 40\nregimes = [\"replace\"]\n"
                                   "[truth]\nfamily = \"poisson(lambda=3)\"\n[model]\nfamily = \"poisson\"\n"
                                   "[output]\ncheckpoints = true\n");
  ASSERT_EQ(run("run " + exp.string() + " --quiet --out " + (dir_ / "o").string()).status, 0);
  const fs::path good = dir_ / "o" / "models" / "p0-replace" / "r0-g1.model";
  const std::string bytes = slurp(good);
  std::ofstream(dir_ / "cut.model", std::ios::binary) << bytes.substr(0, bytes.size() - 3);
  std::ofstream(dir_ / "long.model", std::ios::binary) << bytes << "x";
  struct Case {
    std::string args, message;
  };
  for (const Case& c : {Case{"model " + (dir_ / "none.model").string(), "cannot read the model file"},
                        Case{"model " + exp.string(), "is not a model file written by output.checkpoints"},
                        Case{"model " + (dir_ / "cut.model").string(), "truncated"},
                        Case{"model " + (dir_ / "long.model").string(), "bytes follow the model"},
                        Case{"model " + good.string() + " --samples 0", "--samples"}}) {
    const auto r = run(c.args);
    EXPECT_EQ(r.status, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  }
}

TEST_F(Cli, KeepingModelsOfAFamilyWhoseModelsCannotBeSavedIsRefused) {
  const auto exp = write("e.toml", "[experiment]\ngenerations = 2\nreplicates = 2\nsamples = 50\nregimes = [\"replace\"]\n"
                                   "[truth]\nfamily = \"ngram(corpus='" OUROBOROS_SOURCE_DIR "/tests/data/corpus/small')\"\n"
                                   "[model]\nfamily = \"ngram\"\n[output]\ncheckpoints = true\n");
  const auto r = run("run " + exp.string() + " --quiet --out " + (dir_ / "o").string());
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("output.checkpoints = true: the models of ngram cannot be saved"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "o"));
  const auto bad = run("run " + exp.string() + " --quiet --set output.checkpoints=1 --out " + (dir_ / "p").string());
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("output.checkpoints"), std::string::npos) << bad.err;
}

}  // namespace
