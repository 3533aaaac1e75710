// The runner: how the work is cut (threads, blocks of generations, job layout) never changes a result, and
// the forgetting record agrees exactly with the support trajectory.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/family.hpp"
#include "support/collect.hpp"

namespace ouro {
namespace {

using testing::experiment_toml;
using testing::run_toml;

// Equal, or both NaN.
bool same(double u, double v) { return u == v || (std::isnan(u) && std::isnan(v)); }

bool same_rows(const testing::CollectingSink& a, const testing::CollectingSink& b) {
  if (a.order != b.order) return false;
  for (const auto& key : a.order) {
    const auto &x = a.rows.at(key), &y = b.rows.at(key);
    const auto& s = x.stats;
    const auto& t = y.stats;
    if (!same(s.mean, t.mean) || !same(s.sd, t.sd) || !same(s.q05, t.q05) || !same(s.q50, t.q50) ||
        !same(s.q95, t.q95) || !same(x.theory.lo, y.theory.lo) || !same(x.theory.hi, y.theory.hi))
      return false;
  }
  return true;
}

TEST(Runner, ResultsIndependentOfThreadsBlocksAndJobLayout) {
  const std::string toml = experiment_toml("categorical(dist=zipf, m=30, a=1, b=1)", "categorical", 40, 25, 20,
                                           "[\"replace\", \"accumulate_subsample(size=15)\", \"fresh_mix(real_fraction=0.3)\"]",
                                           "[metrics]\nthresholds = [\"kl < inf\"]\n[output]\ntrajectories = 7\n");
  const auto reference = run_toml(toml, {"experiment.threads=1"});
  for (const char* threads : {"experiment.threads=2", "experiment.threads=3"}) {
    for (const std::size_t block_bytes : {std::size_t{1}, std::size_t{4000}, std::size_t{1} << 22}) {
      RunTuning tuning;
      tuning.block_bytes = block_bytes;
      const auto other = run_toml(toml, {threads}, tuning);
      EXPECT_TRUE(same_rows(reference.sink, other.sink)) << threads << " block_bytes " << block_bytes;
      EXPECT_EQ(reference.sink.trajectories, other.sink.trajectories) << threads << " block_bytes " << block_bytes;
      EXPECT_EQ(reference.sink.forgotten, other.sink.forgotten) << threads << " block_bytes " << block_bytes;
    }
  }
}

TEST(Runner, ForgettingAgreesWithSupportTrajectory) {
  const auto run = run_toml(experiment_toml("categorical(dist=zipf, m=40, a=1.2, b=0)", "categorical", 30, 12, 25,
                                            "[\"replace\"]", "[output]\ntrajectories = true\n"));
  // support at generation g = m - (symbols forgotten at or before g), replicate by replicate.
  std::map<std::pair<std::int64_t, std::int64_t>, double> support;
  for (const auto& t : run.sink.trajectories)
    if (t.metric == "support") support[{t.replicate, t.generation}] = t.value;
  ASSERT_EQ(run.sink.forgotten.size(), 12u * 40u);
  for (std::int64_t r = 0; r < 12; ++r)
    for (std::int64_t g = 0; g <= 30; ++g) {
      int forgotten = 0;
      for (const auto& f : run.sink.forgotten)
        if (f.replicate == r && f.forgotten_at > 0 && f.forgotten_at <= g) ++forgotten;
      EXPECT_EQ(support.at({r, g}), 40 - forgotten) << "replicate " << r << " generation " << g;
    }
  // A symbol absent from the real batch is forgotten at generation 1; one present is not.
  for (const auto& f : run.sink.forgotten) EXPECT_EQ(f.original_count == 0, f.forgotten_at == 1) << f.item;
}

// metrics.first records min(T, g + 1) per replicate, T the first generation at which the event holds. Checked
// replicate by replicate against the threshold trajectory, and in the summary through the exact identity
// E[min(T, G + 1)] = sum_{k=0..G} Pr(T > k), where Pr(T <= k) is the mean of the threshold at k because
// extinction (alive < 0.5) is absorbing.
TEST(Runner, FirstPassageAgreesWithThresholdTrajectory) {
  const std::int64_t G = 25, R = 40;
  const auto run = run_toml(experiment_toml("bernoulli(p=0.2)", "bernoulli", G, R, 6, "[\"replace\"]",
                                            "[metrics]\nthresholds = [\"alive < 0.5\"]\nfirst = [\"alive < 0.5\", "
                                            "\"p > 2\"]\n[output]\ntrajectories = true\n"));
  std::map<std::pair<std::int64_t, std::int64_t>, double> dead, first, never;
  for (const auto& t : run.sink.trajectories) {
    if (t.metric == "alive<0.5") dead[{t.replicate, t.generation}] = t.value;
    if (t.metric == "first(alive<0.5)") first[{t.replicate, t.generation}] = t.value;
    if (t.metric == "first(p>2)") never[{t.replicate, t.generation}] = t.value;
  }
  int extinct = 0;
  for (std::int64_t r = 0; r < R; ++r) {
    std::int64_t T = -1;
    for (std::int64_t g = 0; g <= G; ++g) {
      if (T < 0 && dead.at({r, g}) == 1.0) T = g;
      EXPECT_EQ(first.at({r, g}), static_cast<double>(T >= 0 ? T : g + 1)) << "replicate " << r << " generation " << g;
      EXPECT_EQ(never.at({r, g}), static_cast<double>(g + 1));  // an impossible event: min(inf, g + 1)
    }
    extinct += T >= 0;
  }
  EXPECT_GT(extinct, 0);
  EXPECT_LT(extinct, R);
  double restricted_mean = 0;
  for (std::int64_t k = 0; k <= G; ++k) restricted_mean += 1.0 - run.sink.at("replace", k, "alive<0.5").stats.mean;
  EXPECT_NEAR(run.sink.at("replace", G, "first(alive<0.5)").stats.mean, restricted_mean, 1e-9);
  EXPECT_FALSE(std::isfinite(run.sink.at("replace", G, "first(alive<0.5)").theory.mid));
}

TEST(Runner, FirstPassageRejectsUnknownMetricAndBadForm) {
  const auto with = [](const std::string& first) {
    return experiment_toml("bernoulli(p=0.2)", "bernoulli", 3, 2, 6, "[\"replace\"]",
                           "[metrics]\nfirst = [\"" + first + "\"]\n");
  };
  try {
    run_toml(with("nope > 1"));
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("metrics.first: 'nope>1' uses unknown metric 'nope'"), std::string::npos)
        << e.what();
  }
  try {
    run_toml(with("alive"));
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("metrics.first: 'alive' is not of the form"), std::string::npos) << e.what();
  }
}

// samples = "real" takes n from the real data behind the truth: a counts file's total count here (written to a
// temporary file), recorded in the resolved config; a parametric truth has none and is rejected by name.
TEST(Runner, SamplesRealTakesTheCountsFileTotal) {
  const auto path = std::filesystem::temp_directory_path() / "ouroboros_samples_real_counts.txt";
  {
    std::ofstream out(path);
    out << "a 30\nb 12\nc 5\n# comment\nd 3\n";
  }
  const std::string toml = "[experiment]\ngenerations = 4\nreplicates = 3\nsamples = \"real\"\n[truth]\nfamily = "
                           "\"categorical(file=" + path.string() + ")\"\n[model]\nfamily = \"categorical\"\n";
  const auto run = run_toml(toml);
  EXPECT_EQ(run.config.samples.at(1), 50);
  EXPECT_EQ(run.config.samples.at(4), 50);
  EXPECT_EQ(run.config.resolved["experiment"]["samples"], 50);
  EXPECT_EQ(run.config.resolved["experiment"]["samples_from"], "real");
  // The categorical MLE keeps sum N_i = n: every replicate's generation-1 support is within [1, 4].
  const auto& row = run.sink.at("replace", 1, "support");
  EXPECT_GE(row.stats.q05, 1.0);
  EXPECT_LE(row.stats.q95, 4.0);
  std::filesystem::remove(path);
  try {
    run_toml("[experiment]\ngenerations = 2\nsamples = \"real\"\n[truth]\nfamily = \"gaussian\"\n[model]\n"
             "family = \"gaussian\"\n");
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("experiment.samples = \"real\": the truth gaussian is a parametric law"),
              std::string::npos)
        << e.what();
  }
  try {
    run_toml("[experiment]\ngenerations = 2\nsamples = \"all\"\n[truth]\nfamily = \"gaussian\"\n[model]\n"
             "family = \"gaussian\"\n");
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("or \"real\""), std::string::npos) << e.what();
  }
}

// For a corpus, "real" is the number of training sentences (generation 1 is then exactly the training text);
// for kernel ridge, the pool size P.
TEST(Runner, SamplesRealForCorpusAndImagePool) {
  const auto ngram = make_simulator(
      "ngram(corpus=\"" OUROBOROS_SOURCE_DIR "/tests/data/corpus/small\")", "ngram");
  ASSERT_TRUE(ngram->real_sample_size().has_value());
  EXPECT_EQ(*ngram->real_sample_size(), ngram->describe()["truth"]["train_sentences"].get<std::int64_t>());
  const auto krr = make_simulator(
      "kernel_ridge(data=\"" OUROBOROS_SOURCE_DIR "/tests/data/fashion_tiny\", train_size=40, test_size=30)",
      "kernel_ridge");
  EXPECT_EQ(krr->real_sample_size(), std::optional<std::int64_t>(40));
  EXPECT_FALSE(make_simulator("gaussian", "gaussian")->real_sample_size().has_value());
}

TEST(Runner, SelectedMetricsAreTheOnlyOnesRecordedAndAreUnchanged) {
  const std::string toml = experiment_toml("gaussian", "gaussian(estimator=unbiased)", 8, 30, 6, "[\"replace\"]",
                                           "[metrics]\nthresholds = [\"kl > 1\"]\n[output]\ntrajectories = true\n");
  const auto all = run_toml(toml);
  const auto some = run_toml(toml, {"metrics.select=[\"sigma\", \"mean\"]"});
  EXPECT_EQ(some.report.metrics, (std::vector<std::string>{"mean", "sigma", "kl>1"})) << "family order, then thresholds";
  for (const auto& [key, row] : some.sink.rows) {
    const auto& other = all.sink.rows.at(key);
    EXPECT_EQ(row.stats.mean, other.stats.mean);
    EXPECT_EQ(row.stats.q50, other.stats.q50);
  }
  EXPECT_EQ(some.sink.rows.size(), 9u * 3u);
  EXPECT_EQ(some.sink.trajectories.size(), 9u * 30u * 3u);
  try {
    run_toml(toml, {"metrics.select=[\"sigmaa\"]"});
    ADD_FAILURE() << "unknown metric accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("metrics.select: unknown metric 'sigmaa'"), std::string::npos) << e.what();
  }
}

// Families that skip unread metrics (logarithms, a KL solve) must give the metrics a run reads exactly the
// values of a run that reads them all, on both kernels, including metrics read only by a threshold or a first
// passage.
TEST(Runner, SkippingUnreadMetricsChangesNoRecordedValue) {
  struct Case {
    const char *truth, *model, *select, *extra;
  };
  const Case cases[] = {
      {"gaussian(mean=1, sd=2)", "gaussian(estimator=unbiased)", "[\"mean\", \"sigma\"]", ""},
      {"gaussian(mean=1, sd=2)", "gaussian", "[\"sigma\"]", "first = [\"kl > 0.5\"]\n"},
      {"categorical(dist=zipf, m=40, a=1.1, b=0)", "categorical", "[\"support\", \"tv\"]", ""},
      {"categorical(dist=zipf, m=40, a=1.1, b=0)", "categorical", "[\"support\"]", "thresholds = [\"entropy < 3\"]\n"},
      {"multivariate_gaussian(d=3)", "multivariate_gaussian", "[\"trace\", \"logdet\"]", ""},
      {"ngram(corpus=\"" OUROBOROS_SOURCE_DIR "/tests/data/corpus/small\")", "ngram(order=2)", "[\"vocab_alive\"]", ""},
  };
  for (const auto& c : cases) {
    for (const char* kernel : {"statistics", "sample"}) {
      const std::string toml = experiment_toml(c.truth, c.model, 6, 12, 30, "[\"replace\", \"accumulate\"]",
                                               std::string("[metrics]\n") + c.extra);
      const std::string k = std::string("experiment.kernel=\"") + kernel + "\"";
      const auto all = run_toml(toml, {k});
      const auto some = run_toml(toml, {k, std::string("metrics.select=") + c.select});
      ASSERT_FALSE(some.sink.rows.empty());
      for (const auto& [key, row] : some.sink.rows) {
        const auto& other = all.sink.rows.at(key);
        EXPECT_TRUE(same(row.stats.mean, other.stats.mean) && same(row.stats.sd, other.stats.sd) &&
                    same(row.stats.q05, other.stats.q05) && same(row.stats.q95, other.stats.q95))
            << c.model << " " << kernel << " " << std::get<2>(key) << " at " << std::get<1>(key);
      }
    }
  }
}

// The masked metrics of a family: the wanted entries as without a mask, the skipped ones (those that share
// the work that is skipped) NaN.
TEST(Runner, MaskedFamilyMetricsAreTheUnmaskedOnesOrNan) {
  struct Case {
    std::string truth, family;
    std::vector<std::string> skipped;
  };
  const std::vector<Case> cases{
      {"gaussian(mean=1, sd=2)", "gaussian", {"log_variance", "kl"}},
      {"categorical(dist=zipf, m=40, a=1.1, b=0)", "categorical", {"entropy", "kl"}},
      {"multivariate_gaussian(d=3)", "multivariate_gaussian", {"kl"}},
      {"ngram(corpus=\"" OUROBOROS_SOURCE_DIR "/tests/data/corpus/small\")", "ngram", {"cross_entropy", "perplexity"}}};
  for (const auto& c : cases) {
    const auto sim = make_simulator(c.truth, c.family);
    const auto& names = sim->metrics();
    MetricMask mask{std::vector<bool>(names.size(), true)};
    for (std::size_t m = 0; m < names.size(); ++m)
      mask.wanted[m] = std::find(c.skipped.begin(), c.skipped.end(), names[m].name) == c.skipped.end();
    const SampleSchedule n(std::vector<std::int64_t>(5, 20));
    auto full = sim->chain(parse_regime("replace"), KernelKind::kStatistics, n, 3, 0);
    auto part = sim->chain(parse_regime("replace"), KernelKind::kStatistics, n, 3, 0);
    part->want_metrics(mask);
    std::vector<double> a(names.size()), b(names.size());
    for (std::int64_t g = 1; g <= 4; ++g) {
      full->step(g, a);
      part->step(g, b);
      for (std::size_t m = 0; m < names.size(); ++m) {
        if (mask(m))
          EXPECT_TRUE(same(a[m], b[m])) << c.family << " " << names[m].name;
        else
          EXPECT_TRUE(std::isnan(b[m])) << c.family << " " << names[m].name << " was skipped yet holds " << b[m];
      }
    }
  }
}

TEST(Runner, GenerationZeroIsTheTruth) {
  const auto run = run_toml(experiment_toml("poisson(lambda=3)", "poisson", 2, 5, 4, "[\"replace\"]"));
  const auto& row = run.sink.at("replace", 0, "lambda");
  EXPECT_EQ(row.stats.mean, 3.0);
  EXPECT_EQ(row.stats.sd, 0.0);
  EXPECT_EQ(row.stats.q05, 3.0);
}

}  // namespace
}  // namespace ouro
