// parse_config: defaults of a minimal file, errors naming the offending key, --set overrides; parse_threshold.
#include "ouroboros/experiment/config.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ouroboros/core/error.hpp"

namespace ouro {
namespace {

const std::string kMinimal = R"toml(
[experiment]
generations = 5
samples = 100

[truth]
family = "gaussian"

[model]
family = "gaussian"
)toml";

// kMinimal with `line` appended to section `section` (a new section header is added after the rest).
std::string with(const std::string& section, const std::string& line) {
  return kMinimal + "\n[" + section + "]\n" + line + "\n";
}
std::string with_experiment(const std::string& line) {
  return "[experiment]\n" + line + "\n" + kMinimal.substr(kMinimal.find("generations"));
}

std::string user_error(const std::string& toml, const std::vector<std::string>& overrides = {}) {
  try {
    parse_config(toml, "exp.toml", overrides);
  } catch (const UserError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a UserError for:\n" << toml;
  return "";
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

TEST(ConfigTest, MinimalConfigAndDefaults) {
  const ExperimentConfig c = parse_config(kMinimal, "exp.toml", {});
  EXPECT_EQ(c.generations, 5);
  EXPECT_EQ(c.replicates, 100);
  EXPECT_EQ(c.seed, 1u);
  ASSERT_EQ(c.samples.generations(), 5);
  for (std::int64_t k = 1; k <= 5; ++k) EXPECT_EQ(c.samples.at(k), 100);
  EXPECT_TRUE(c.samples.constant());
  ASSERT_EQ(c.regimes.size(), 1u);
  EXPECT_EQ(c.regimes[0].kind, RegimeKind::kReplace);
  EXPECT_EQ(c.kernel, KernelKind::kStatistics);
  EXPECT_EQ(c.threads, 0u);
  EXPECT_EQ(c.truth_family, "gaussian");
  EXPECT_EQ(c.model_family, "gaussian");
  EXPECT_TRUE(c.thresholds.empty());
  EXPECT_EQ(c.output_dir, "results/exp");
  EXPECT_EQ(c.trajectories_every, 0);
  EXPECT_TRUE(c.forgetting);
  EXPECT_TRUE(c.table_generations.empty());
  EXPECT_EQ(c.resolved["experiment"]["generations"], 5);
  EXPECT_EQ(c.resolved["experiment"]["samples"], 100);
  EXPECT_EQ(c.resolved["experiment"]["regimes"], nlohmann::json::array({"replace"}));
  EXPECT_EQ(c.resolved["output"]["dir"], "results/exp");
}

TEST(ConfigTest, FullConfig) {
  const std::string text = R"toml(
[experiment]
generations = 3
replicates = 20
seed = 99
samples = [10, 20, 30]
regimes = ["replace", "accumulate_subsample(size=10)", "fresh_mix(real_fraction=0.25)", "grow", "accumulate"]
kernel = "sample"
threads = 4
[truth]
family = "categorical(dist=zipf, m=100)"
[model]
family = "categorical"
[metrics]
thresholds = ["sigma > 0.1", "kl<=2"]
[output]
dir = "out/x"
trajectories = 2
forgetting = false
table = [0, 3]
)toml";
  const ExperimentConfig c = parse_config(text, "exp.toml", {});
  EXPECT_EQ(c.replicates, 20);
  EXPECT_EQ(c.seed, 99u);
  EXPECT_FALSE(c.samples.constant());
  EXPECT_EQ(c.samples.at(1), 10);
  EXPECT_EQ(c.samples.at(3), 30);
  ASSERT_EQ(c.regimes.size(), 5u);
  EXPECT_EQ(c.regimes[1].kind, RegimeKind::kAccumulateSubsample);
  EXPECT_EQ(c.regimes[1].subsample_size, 10);
  EXPECT_EQ(c.regimes[2].kind, RegimeKind::kFreshMix);
  EXPECT_EQ(c.regimes[2].real_fraction, 0.25);
  EXPECT_EQ(c.kernel, KernelKind::kSample);
  EXPECT_EQ(c.threads, 4u);
  EXPECT_EQ(c.truth_family, "categorical(dist=zipf, m=100)");
  ASSERT_EQ(c.thresholds.size(), 2u);
  EXPECT_EQ(c.thresholds[1].metric, "kl");
  EXPECT_EQ(c.thresholds[1].op, "<=");
  EXPECT_EQ(c.output_dir, "out/x");
  EXPECT_EQ(c.trajectories_every, 2);
  EXPECT_FALSE(c.forgetting);
  EXPECT_EQ(c.table_generations, (std::vector<std::int64_t>{0, 3}));
  EXPECT_EQ(c.resolved["experiment"]["samples"], nlohmann::json::array({10, 20, 30}));
}

TEST(ConfigTest, ErrorsNameTheKey) {
  struct Case {
    std::string toml;
    std::vector<std::string> needles;
  };
  const std::vector<Case> cases{
      {with("bogus", "x = 1"), {"unknown section [bogus]", "[experiment]"}},
      {with_experiment("colour = 1"), {"experiment.colour", "generations"}},
      {R"toml([experiment]
generations = 0
samples = 10
[truth]
family = "gaussian"
[model]
family = "gaussian")toml",
       {"experiment.generations", "= 0", ">= 1"}},
      {R"toml([experiment]
generations = 2
samples = 0
[truth]
family = "gaussian"
[model]
family = "gaussian")toml",
       {"experiment.samples", "= 0"}},
      {R"toml([experiment]
generations = 3
samples = [10, 20]
[truth]
family = "gaussian"
[model]
family = "gaussian")toml",
       {"experiment.samples", "generations = 3"}},
      {with_experiment("kernel = \"fast\""), {"experiment.kernel", "\"fast\"", "statistics"}},
      {with_experiment("regimes = [\"bogus\"]"), {"experiment.regimes", "bogus", "accumulate_subsample"}},
      {with_experiment("regimes = [\"accumulate_subsample(size=0)\"]"), {"experiment.regimes", "size=0", ">= 1"}},
      {with_experiment("regimes = [\"fresh_mix(real_fraction=1.5)\"]"),
       {"experiment.regimes", "real_fraction=1.5", "[0, 1]"}},
      {with_experiment("regimes = [\"grow\", \"grow\"]"), {"experiment.regimes", "grow", "twice"}},
      {with_experiment("regimes = []"), {"experiment.regimes"}},
      {with_experiment("replicates = 2.5"), {"experiment.replicates"}},
      {"[experiment\ngenerations = 1\n", {"exp.toml", "malformed TOML"}},
      {with("metrics", "thresholds = [\"sigma >> 1\"]"), {"metrics.thresholds", "sigma >> 1"}},
      {with("output", "trajectories = 0"), {"output.trajectories"}},
      {with("output", "table = [-1]"), {"output.table", ">= 0"}},
      {with_experiment("regimes = [\"fresh_mix(fraction=0.5)\"]"),
       {"experiment.regimes", "unknown parameter 'fraction'", "allowed: real_fraction"}},
      {R"toml([experiment]
generations = 2
samples = 10
[model]
family = "gaussian")toml",
       {"truth.family", "required"}},
  };
  for (const auto& c : cases) {
    const std::string msg = user_error(c.toml);
    for (const auto& needle : c.needles) EXPECT_TRUE(contains(msg, needle)) << "missing '" << needle << "' in: " << msg;
  }
}

TEST(ConfigTest, SetOverrides) {
  {
    const ExperimentConfig c = parse_config(kMinimal, "exp.toml", {"experiment.replicates=7"});
    EXPECT_EQ(c.replicates, 7);
    EXPECT_EQ(c.resolved["experiment"]["replicates"], 7);
  }
  {
    const ExperimentConfig c = parse_config(kMinimal, "exp.toml", {"output.dir=foo"});  // bare string
    EXPECT_EQ(c.output_dir, "foo");
  }
  {
    const ExperimentConfig c = parse_config(kMinimal, "exp.toml", {"output.dir=\"a b\""});  // TOML string
    EXPECT_EQ(c.output_dir, "a b");
  }
  {
    const ExperimentConfig c =
        parse_config(kMinimal, "exp.toml", {"experiment.generations=3", "experiment.samples=[1,2,3]"});
    EXPECT_EQ(c.generations, 3);
    ASSERT_EQ(c.samples.generations(), 3);
    EXPECT_EQ(c.samples.at(1), 1);
    EXPECT_EQ(c.samples.at(2), 2);
    EXPECT_EQ(c.samples.at(3), 3);
  }
  {
    // A spec with commas and parentheses is not TOML, so it is taken as a bare string.
    const ExperimentConfig c = parse_config(kMinimal, "exp.toml", {"truth.family=categorical(dist=zipf, m=10)"});
    EXPECT_EQ(c.truth_family, "categorical(dist=zipf, m=10)");
  }
  {
    // Later overrides win; an override may create a section the file lacks.
    const ExperimentConfig c = parse_config(kMinimal, "exp.toml",
                                            {"experiment.seed=5", "experiment.seed=6", "output.forgetting=false"});
    EXPECT_EQ(c.seed, 6u);
    EXPECT_FALSE(c.forgetting);
  }
  EXPECT_TRUE(contains(user_error(kMinimal, {"experiment.bogus=1"}), "experiment.bogus"));
  EXPECT_TRUE(contains(user_error(kMinimal, {"replicates=7"}), "section.key=value"));
  EXPECT_TRUE(contains(user_error(kMinimal, {"experiment.replicates"}), "section.key=value"));
  EXPECT_TRUE(contains(user_error(kMinimal, {"experiment.samples=[1,2]"}), "experiment.samples"));
}

TEST(ConfigThresholdTest, ParsesAndEvaluates) {
  const Threshold t = parse_threshold("sigma > 0.1");
  EXPECT_EQ(t.metric, "sigma");
  EXPECT_EQ(t.op, ">");
  EXPECT_EQ(t.value, 0.1);
  EXPECT_TRUE(t.holds(0.2));
  EXPECT_FALSE(t.holds(0.1));
  EXPECT_FALSE(t.holds(0.05));

  struct Case {
    const char* text;
    double below, at, above;  // expected holds() at value - 1, value, value + 1
  };
  const std::vector<Case> cases{
      {"m<2", 1, 0, 0}, {"m <= 2", 1, 1, 0}, {"m>=2", 0, 1, 1}, {"m == 2", 0, 1, 0}, {"m != 2", 1, 0, 1}, {"m > 2", 0, 0, 1},
  };
  for (const auto& c : cases) {
    const Threshold u = parse_threshold(c.text);
    EXPECT_EQ(u.value, 2.0) << c.text;
    EXPECT_EQ(u.holds(1.0), c.below != 0) << c.text;
    EXPECT_EQ(u.holds(2.0), c.at != 0) << c.text;
    EXPECT_EQ(u.holds(3.0), c.above != 0) << c.text;
  }
  EXPECT_EQ(parse_threshold("  kl_div >= -1.5e-3 ").value, -1.5e-3);
  EXPECT_EQ(parse_threshold("kl_div >= -1.5e-3").metric, "kl_div");
  EXPECT_EQ(parse_threshold("x < inf").value, std::numeric_limits<double>::infinity());
  for (const char* bad : {"sigma >> 1", "sigma", "> 1", "sigma > abc", "1sigma > 1", "sigma = 1"})
    EXPECT_THROW(parse_threshold(bad), UserError) << bad;
}

}  // namespace
}  // namespace ouro
