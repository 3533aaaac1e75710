// kernel_ridge: exact facts of the relabelling loop on the tiny fixture (tests/data/fashion_tiny), the
// per-input reduction against the textbook solve, and bad input. The conformance suite adds the statistics
// kernel vs sample kernel comparison in distribution (with label noise).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <thread>

#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/core/spec.hpp"
#include "ouroboros/families/kernel_ridge/kernel_ridge.hpp"

namespace ouro {
namespace {

namespace fs = std::filesystem;

const std::string kFixture = std::string(OUROBOROS_SOURCE_DIR) + "/tests/data/fashion_tiny";
constexpr std::int64_t kPool = 40;

std::string truth_spec(const std::string& sizes = "train_size=40, test_size=30") {
  return "kernel_ridge(data=\"" + kFixture + "\", " + sizes + ")";
}
KernelRidgeFamily family(const std::string& model, const std::string& sizes = "train_size=40, test_size=30") {
  return KernelRidgeFamily(parse_spec(truth_spec(sizes)), parse_spec("kernel_ridge(" + model + ")"));
}

// Metrics of generations 1..G of one chain run through the generic Simulator interface.
std::vector<std::vector<double>> run(const std::string& model, const char* regime, KernelKind kernel,
                                     std::int64_t n, std::int64_t generations) {
  const auto sim = make_simulator(truth_spec(), "kernel_ridge(" + model + ")");
  const SampleSchedule samples(std::vector<std::int64_t>(static_cast<std::size_t>(generations), n));
  auto chain = sim->chain(parse_regime(regime), kernel, samples, 7, 0);
  std::vector<std::vector<double>> out;
  for (std::int64_t g = 1; g <= generations; ++g) {
    out.emplace_back(sim->metrics().size());
    chain->step(g, out.back());
  }
  return out;
}

struct Expected {
  double test_mse, test_error, train_drift;
};
// The metrics of a model whose ridge weights on the whole pool are alpha (P x 10).
Expected expected_metrics(const KernelData& d, const Eigen::MatrixXd& alpha) {
  const Eigen::MatrixXd pool = d.gram * alpha, test = d.cross * alpha;
  double sq = 0, wrong = 0;
  for (Eigen::Index i = 0; i < test.rows(); ++i) {
    Eigen::RowVectorXd onehot = Eigen::RowVectorXd::Zero(10);
    onehot(d.test_class[static_cast<std::size_t>(i)]) = 1;
    sq += (test.row(i) - onehot).squaredNorm();
    Eigen::Index best = 0;
    test.row(i).maxCoeff(&best);
    wrong += best != d.test_class[static_cast<std::size_t>(i)];
  }
  return {sq / static_cast<double>(test.rows()), wrong / static_cast<double>(test.rows()),
          (pool - d.pool_onehot).squaredNorm() / static_cast<double>(pool.rows())};
}

void expect_metrics(const std::vector<double>& got, const Expected& want, const std::string& what) {
  EXPECT_NEAR(got[0], want.test_mse, 1e-9) << what;
  EXPECT_EQ(got[1], want.test_error) << what;
  EXPECT_NEAR(got[2], want.train_drift, 1e-9) << what;
}

TEST(KernelRidge, ZeroLambdaInterpolatesDistinctInputs) {
  const KernelRidgeFamily f = family("lambda=0");
  std::vector<KernelRidgeFamily::Sample> xs;
  Rng rng(1, 0, 1, Stream::kSynthetic);
  f.sample(f.truth(), kPool, rng, xs);
  KernelRidgeFamily::Model m;
  f.fit_samples(xs, m);
  EXPECT_LT((m.scores - f.data().pool_onehot).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_LT(m.train_drift, 1e-14);
  EXPECT_TRUE(std::isnan(f.truth().test_mse)) << "generation 0 has no predictor off the pool";
}

// Noise-free replace on the fixed design is linear: F_k = S^k Y with S = K (K + lambda P I)^(-1); model k's
// weights are (K + lambda P I)^(-1) F_{k-1}. Grow relabels each input k times with the same label: the same
// chain. Both kernels must reproduce the metrics to rounding.
TEST(KernelRidge, ReplaceIsThePowerOfTheSmoother) {
  const double lambda = 0.01;
  const KernelRidgeFamily f = family("lambda=0.01");
  const KernelData& d = f.data();
  const Eigen::LLT<Eigen::MatrixXd> solve(d.gram + lambda * kPool * Eigen::MatrixXd::Identity(kPool, kPool));
  const std::int64_t generations = 6;
  const auto sample_chain = run("lambda=0.01", "replace", KernelKind::kSample, kPool, generations);
  const auto stats_chain = run("lambda=0.01", "replace", KernelKind::kStatistics, kPool, generations);
  const auto grow_chain = run("lambda=0.01", "grow", KernelKind::kStatistics, kPool, generations);

  KernelRidgeFamily::Model model = f.truth(), next;
  Eigen::MatrixXd labels = d.pool_onehot;  // F_0 = Y
  for (std::int64_t k = 1; k <= generations; ++k) {
    std::vector<KernelRidgeFamily::Sample> xs;
    Rng rng(1, 0, static_cast<std::uint64_t>(k), Stream::kSynthetic);
    f.sample(model, kPool, rng, xs);
    f.fit_samples(xs, next);
    const Eigen::MatrixXd alpha = solve.solve(labels);
    labels = d.gram * alpha;  // F_k = S F_{k-1}
    EXPECT_LT((next.scores - labels).cwiseAbs().maxCoeff(), 1e-10) << "generation " << k;
    const Expected want = expected_metrics(d, alpha);
    const auto i = static_cast<std::size_t>(k - 1);
    expect_metrics(sample_chain[i], want, "sample kernel, generation " + std::to_string(k));
    expect_metrics(stats_chain[i], want, "statistics kernel, generation " + std::to_string(k));
    expect_metrics(grow_chain[i], want, "grow, generation " + std::to_string(k));
    model = next;
  }
}

// Noise-free accumulate on the fixed design: generation k fits the k label sets Y, F_1, ..., F_{k-1} on the
// same inputs with T = kP, which per input is the mean label with ridge lambda kP / k = lambda P, so
// F_k = S mean(Y, F_1, ..., F_{k-1}) [derived]. Consequence [derived]: in the eigenbasis of S (eigenvalues
// s in [0, 1)) a component of Y shrinks to s^k under replace but to s prod_{i<k} (i + s)/(i + 1) >= s^k under
// accumulate, and both stay in [0, 1] times the original; so accumulate's train_drift is never above replace's.
TEST(KernelRidge, AccumulateAveragesThePastAndDriftsLessThanReplace) {
  const double lambda = 0.01;
  const KernelRidgeFamily f = family("lambda=0.01");
  const KernelData& d = f.data();
  const Eigen::LLT<Eigen::MatrixXd> solve(d.gram + lambda * kPool * Eigen::MatrixXd::Identity(kPool, kPool));
  const std::int64_t generations = 8;
  const auto replace = run("lambda=0.01", "replace", KernelKind::kStatistics, kPool, generations);
  for (const auto kernel : {KernelKind::kSample, KernelKind::kStatistics}) {
    const auto acc = run("lambda=0.01", "accumulate", kernel, kPool, generations);
    Eigen::MatrixXd sum = d.pool_onehot;
    for (std::int64_t k = 1; k <= generations; ++k) {
      const Eigen::MatrixXd alpha = solve.solve(sum / static_cast<double>(k));
      const auto i = static_cast<std::size_t>(k - 1);
      expect_metrics(acc[i], expected_metrics(d, alpha), kernel_name(kernel) + " generation " + std::to_string(k));
      EXPECT_LE(acc[i][2], replace[i][2] + 1e-12) << "generation " << k;
      sum += d.gram * alpha;
    }
  }
}

// fresh_mix on the fixed design with n = P: the r = P/4 real labels go to the last r pool inputs and the
// synthetic ones to the others, so each generation fits F_{k-1} on the first P - r inputs and Y on the rest.
TEST(KernelRidge, FreshMixOnTheFixedDesignPartitionsThePool) {
  const double lambda = 0.01;
  const KernelRidgeFamily f = family("lambda=0.01");
  const KernelData& d = f.data();
  const Eigen::LLT<Eigen::MatrixXd> solve(d.gram + lambda * kPool * Eigen::MatrixXd::Identity(kPool, kPool));
  const std::int64_t generations = 5, real = kPool / 4;
  for (const auto kernel : {KernelKind::kSample, KernelKind::kStatistics}) {
    const auto mix = run("lambda=0.01", "fresh_mix(real_fraction=0.25)", kernel, kPool, generations);
    Eigen::MatrixXd labels = d.pool_onehot;
    for (std::int64_t k = 1; k <= generations; ++k) {
      const Eigen::MatrixXd alpha = solve.solve(labels);
      expect_metrics(mix[static_cast<std::size_t>(k - 1)], expected_metrics(d, alpha),
                     kernel_name(kernel) + " generation " + std::to_string(k));
      labels.topRows(kPool - real) = (d.gram * alpha).topRows(kPool - real);
    }
  }
}

// Repeated inputs with different labels: the per-input reduced solve equals the textbook
// alpha = (K + lambda T I)^(-1) Y over all T samples, and the metrics follow from those weights.
TEST(KernelRidge, ReducedSolveEqualsTheFullSystemWithRepeatedInputs) {
  const double lambda = 0.003;
  const KernelRidgeFamily f = family("lambda=0.003, noise=0.3, design=resample");
  const KernelData& d = f.data();
  KernelRidgeFamily::Model first, second;
  std::vector<KernelRidgeFamily::Sample> xs;
  Rng rng(2, 0, 1, Stream::kSynthetic);
  f.sample(f.truth(), 90, rng, xs);
  f.fit_samples(xs, first);
  f.sample(first, 70, rng, xs);  // noisy labels on inputs that repeat
  f.fit_samples(xs, second);

  const auto t = static_cast<Eigen::Index>(xs.size());
  std::vector<Eigen::Index> idx;
  Eigen::MatrixXd y(t, 10);
  for (Eigen::Index i = 0; i < t; ++i) {
    idx.push_back(xs[static_cast<std::size_t>(i)].input);
    for (Eigen::Index c = 0; c < 10; ++c) y(i, c) = xs[static_cast<std::size_t>(i)].label[static_cast<std::size_t>(c)];
  }
  ASSERT_LT(std::set<Eigen::Index>(idx.begin(), idx.end()).size(), idx.size()) << "the test needs repeats";
  const Eigen::MatrixXd k_full = d.gram(idx, idx) + lambda * static_cast<double>(t) * Eigen::MatrixXd::Identity(t, t);
  const Eigen::MatrixXd alpha_samples = k_full.ldlt().solve(y);
  Eigen::MatrixXd alpha = Eigen::MatrixXd::Zero(kPool, 10);  // the same weights, summed per pool input
  for (Eigen::Index i = 0; i < t; ++i) alpha.row(idx[static_cast<std::size_t>(i)]) += alpha_samples.row(i);
  EXPECT_LT((second.scores - d.gram * alpha).cwiseAbs().maxCoeff(), 1e-9);
  const Expected want = expected_metrics(d, alpha);
  std::vector<double> got(3);
  f.metrics(second, got);
  expect_metrics(got, want, "reduced vs full");
}

// The theory column at generation g for n samples per generation.
std::optional<TheoryValue> theory_at(const Simulator& sim, const std::string& regime, const std::string& metric,
                                     std::int64_t g, std::int64_t n = kPool) {
  const SampleSchedule samples(std::vector<std::int64_t>(static_cast<std::size_t>(g), n));
  const Regime r = parse_regime(regime);
  return sim.theory(TheoryQuery{r, samples, g, metric, nullptr});
}
double theory_mid(const Simulator& sim, const std::string& regime, const std::string& metric, std::int64_t g) {
  const auto v = theory_at(sim, regime, metric, g);
  EXPECT_TRUE(v.has_value()) << regime << " " << metric << " generation " << g;
  return v ? v->mid : std::numeric_limits<double>::quiet_NaN();
}

const std::vector<std::string> kTheoryRegimes{"replace", "grow", "accumulate"};

// Without label noise the loop is deterministic: the theory column must equal every chain's metrics to
// rounding, with fixed and adaptive lambda (under grow and accumulate the adaptive ridge changes with k).
TEST(KernelRidgeTheory, NoiseFreeTheoryEqualsTheChain) {
  const std::int64_t generations = 6;
  for (const std::string model : {"lambda=0.01", "lambda_exponent=0.5"}) {
    const auto sim = make_simulator(truth_spec(), "kernel_ridge(" + model + ")");
    for (const std::string& regime : kTheoryRegimes)
      for (const auto kernel : {KernelKind::kSample, KernelKind::kStatistics}) {
        const auto chain = run(model, regime.c_str(), kernel, kPool, generations);
        for (std::int64_t g = 1; g <= generations; ++g) {
          const auto& got = chain[static_cast<std::size_t>(g - 1)];
          const std::string what = model + " " + regime + " " + kernel_name(kernel) + " generation " + std::to_string(g);
          const double mse = theory_mid(*sim, regime, "test_mse", g), drift = theory_mid(*sim, regime, "train_drift", g);
          EXPECT_NEAR(got[0], mse, 1e-9 * std::max(1.0, mse)) << what;
          EXPECT_NEAR(got[2], drift, 1e-9 * std::max(1.0, drift)) << what;
        }
      }
  }
}

// With label noise: the replicate mean of test_mse and train_drift against the exact mean, within 4.5
// standard errors, for both kernels; and the noise part of the theory (theory minus its noise-free value) is
// many standard errors large, so a wrong noise term (e.g. grow's sigma^2 / k) would fail.
TEST(KernelRidgeTheory, NoisyMeanMatchesTheTheory) {
  const std::int64_t generations = 6, replicates = 800;
  const SampleSchedule samples(std::vector<std::int64_t>(static_cast<std::size_t>(generations), kPool));
  for (const std::string lambda : {"lambda=0.01", "lambda_exponent=0.5"}) {
    const auto sim = make_simulator(truth_spec(), "kernel_ridge(" + lambda + ", noise=0.3)");
    const auto clean = make_simulator(truth_spec(), "kernel_ridge(" + lambda + ")");
    for (const std::string& regime : kTheoryRegimes)
      for (const auto kernel : {KernelKind::kSample, KernelKind::kStatistics}) {
        // sum and sum of squares per (generation, metric 0 or 2)
        std::vector<std::array<double, 4>> acc(static_cast<std::size_t>(generations), {0, 0, 0, 0});
        std::vector<double> m(3);
        for (std::int64_t r = 0; r < replicates; ++r) {
          auto chain = sim->chain(parse_regime(regime), kernel, samples, 11, static_cast<std::uint64_t>(r));
          for (std::int64_t g = 1; g <= generations; ++g) {
            chain->step(g, m);
            auto& a = acc[static_cast<std::size_t>(g - 1)];
            a[0] += m[0], a[1] += m[0] * m[0], a[2] += m[2], a[3] += m[2] * m[2];
          }
        }
        for (std::int64_t g = 1; g <= generations; ++g) {
          const auto& a = acc[static_cast<std::size_t>(g - 1)];
          const std::array<std::string, 2> metrics{"test_mse", "train_drift"};
          for (std::size_t j = 0; j < 2; ++j) {
            const double n = static_cast<double>(replicates), mean = a[2 * j] / n;
            const double se = std::sqrt(std::max(0.0, a[2 * j + 1] / n - mean * mean) / (n - 1));
            const double want = theory_mid(*sim, regime, metrics[j], g);
            const std::string what = lambda + " " + regime + " " + kernel_name(kernel) + " " + metrics[j] +
                                     " generation " + std::to_string(g);
            if (g == 1) {  // fitted on the noise-free real labels: no spread
              EXPECT_NEAR(mean, want, 1e-9) << what;
              EXPECT_NEAR(want, theory_mid(*clean, regime, metrics[j], g), 1e-12) << what;
            } else {
              EXPECT_LT(std::abs(mean - want), 4.5 * se) << what << ": mean " << mean << " theory " << want;
              EXPECT_GT(want - theory_mid(*clean, regime, metrics[j], g), 10 * se) << what;
            }
          }
        }
      }
  }
}

// Grow with a fixed lambda is replace's chain with the noise of generation k divided by k: its theory sits
// between the noise-free value and replace's, and equals replace's when there is no noise.
TEST(KernelRidgeTheory, GrowAveragesTheNoiseOfReplace) {
  const auto noisy = make_simulator(truth_spec(), "kernel_ridge(lambda=0.01, noise=0.3)");
  const auto clean = make_simulator(truth_spec(), "kernel_ridge(lambda=0.01)");
  for (std::int64_t g = 2; g <= 6; ++g)
    for (const std::string metric : {"test_mse", "train_drift"}) {
      const double none = theory_mid(*clean, "replace", metric, g);
      EXPECT_NEAR(theory_mid(*clean, "grow", metric, g), none, 1e-12);
      EXPECT_GT(theory_mid(*noisy, "grow", metric, g), none) << metric << " " << g;
      EXPECT_LT(theory_mid(*noisy, "grow", metric, g), theory_mid(*noisy, "replace", metric, g)) << metric << " " << g;
    }
}

TEST(KernelRidgeTheory, NoTheoryOutsideTheFixedDesignWithNEqualsP) {
  const auto sim = make_simulator(truth_spec(), "kernel_ridge(lambda=0.01, noise=0.3)");
  ASSERT_TRUE(theory_at(*sim, "replace", "test_mse", 3).has_value());
  EXPECT_FALSE(theory_at(*sim, "replace", "test_error", 3).has_value()) << "an argmax has no closed form";
  EXPECT_FALSE(theory_at(*sim, "accumulate_subsample(size=40)", "test_mse", 3).has_value());
  EXPECT_FALSE(theory_at(*sim, "fresh_mix(real_fraction=0.25)", "train_drift", 3).has_value());
  EXPECT_FALSE(theory_at(*sim, "replace", "test_mse", 3, kPool - 10).has_value());
  EXPECT_FALSE(theory_at(*sim, "grow", "test_mse", 3, 2 * kPool).has_value());
  const SampleSchedule varying({kPool, 2 * kPool, kPool});
  const Regime replace = parse_regime("replace");
  EXPECT_FALSE(sim->theory(TheoryQuery{replace, varying, 3, "test_mse", nullptr}).has_value());
  const SampleSchedule constant({kPool, kPool, kPool});
  const Threshold above{"test_mse", ">", 0.5};
  EXPECT_FALSE(sim->theory(TheoryQuery{replace, constant, 3, "test_mse", &above}).has_value());
  const auto resample = make_simulator(truth_spec(), "kernel_ridge(lambda=0.01, noise=0.3, design=resample)");
  EXPECT_FALSE(theory_at(*resample, "replace", "test_mse", 3).has_value());
  const auto interpolating = make_simulator(truth_spec(), "kernel_ridge(lambda=0)");
  EXPECT_FALSE(theory_at(*interpolating, "replace", "train_drift", 3).has_value());
}

// theory() is called from several threads at once: the first calls share one eigendecomposition and give
// the values of a sequential run.
TEST(KernelRidgeTheory, ConcurrentFirstQueriesAgree) {
  const std::string model = "kernel_ridge(lambda=0.01, noise=0.3)";
  const auto sequential = make_simulator(truth_spec(), model), shared = make_simulator(truth_spec(), model);
  std::vector<double> want, got(8);
  for (std::int64_t g = 1; g <= 8; ++g) want.push_back(theory_mid(*sequential, "accumulate", "test_mse", g));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < got.size(); ++i)
    threads.emplace_back([&, i] {
      const SampleSchedule samples(std::vector<std::int64_t>(i + 1, kPool));
      const Regime r = parse_regime("accumulate");
      const std::string metric = "test_mse";
      const auto v = shared->theory(TheoryQuery{r, samples, static_cast<std::int64_t>(i + 1), metric, nullptr});
      got[i] = v ? v->mid : std::numeric_limits<double>::quiet_NaN();
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(got, want);
}

TEST(KernelRidge, AdaptiveLambdaIsTheTrainingSizePower) {
  const KernelRidgeFamily adaptive = family("lambda_exponent=0.5");
  const KernelRidgeFamily fixed = family(fmt::format("lambda={:.17g}", 1.0 / std::sqrt(3.0 * kPool)));
  EXPECT_DOUBLE_EQ(adaptive.lambda_for(3.0 * kPool), 1.0 / std::sqrt(3.0 * kPool));
  std::vector<KernelRidgeFamily::Sample> xs;
  Rng rng(3, 0, 1, Stream::kSynthetic);
  adaptive.sample(adaptive.truth(), 3 * kPool, rng, xs);
  KernelRidgeFamily::Model a, b;
  adaptive.fit_samples(xs, a);
  fixed.fit_samples(xs, b);
  EXPECT_LT((a.scores - b.scores).cwiseAbs().maxCoeff(), 1e-9);
}

TEST(KernelRidge, SubsetsAreFixedBySubsetSeed) {
  const KernelRidgeFamily a = family("lambda=0.01"), b = family("lambda=0.01");
  const KernelRidgeFamily c = family("lambda=0.01", "train_size=40, test_size=30, subset_seed=5");
  EXPECT_EQ(a.data().pool_source, b.data().pool_source);
  EXPECT_NE(a.data().pool_source, c.data().pool_source);
  EXPECT_EQ(std::set<std::size_t>(a.data().pool_source.begin(), a.data().pool_source.end()).size(),
            static_cast<std::size_t>(kPool));
}

TEST(KernelRidge, BadInputNamesTheProblem) {
  const std::vector<std::pair<std::pair<std::string, std::string>, std::string>> cases{
      {{"train_size=40", "lambda=-1"}, "'lambda=-1' must be >= 0"},
      {{"train_size=40", "bandwidth=0"}, "'bandwidth=0' must be > 0"},
      {{"train_size=40", "bandwidth=-2"}, "'bandwidth=-2' must be > 0"},
      {{"train_size=40", "bandwidth=mean"}, "is not one of: median"},
      {{"train_size=40", "lambda=0.1, lambda_exponent=0.5"}, "cannot be given with lambda_exponent"},
      {{"train_size=40", "lambda_exponent=-1"}, "must be >= 0"},
      {{"train_size=40", "noise=-0.1"}, "'noise=-0.1' must be >= 0"},
      {{"train_size=40", "design=fresh"}, "is not one of: fixed, resample"},
      {{"train_size=121", ""}, "'train_size=121' exceeds the 120 training images"},
      {{"train_size=40, test_size=61", ""}, "'test_size=61' exceeds the 60 test images"},
  };
  for (const auto& [specs, message] : cases) {
    try {
      family(specs.second, specs.first);
      ADD_FAILURE() << "no error for " << specs.first << " " << specs.second;
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  }
  try {
    make_simulator("kernel_ridge(data=/nonexistent/fashion)", "kernel_ridge");
    ADD_FAILURE() << "no error for a missing data directory";
  } catch (const UserError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("dataset-fashion-mnist"), std::string::npos) << m;
    EXPECT_NE(m.find("scripts/fetch_fashion_mnist.sh"), std::string::npos) << m;
  }
}

TEST(KernelRidge, CliExitsWithTwoWhenTheDataIsMissing) {
  const fs::path dir = fs::temp_directory_path() / ("ouroboros_krr_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "e.toml") << "[experiment]\ngenerations = 2\nreplicates = 2\nseed = 1\nsamples = 10\n"
                                   "regimes = [\"replace\"]\n[truth]\nfamily = \"kernel_ridge(data=/nonexistent/fm)\"\n"
                                   "[model]\nfamily = \"kernel_ridge\"\n[output]\ndir = \""
                                << (dir / "out").string() << "\"\n";
  const std::string cmd = std::string(OUROBOROS_CLI) + " run " + (dir / "e.toml").string() + " >/dev/null 2>" +
                          (dir / "err").string();
  const int raw = std::system(cmd.c_str());
  std::ifstream in(dir / "err");
  const std::string err((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove_all(dir);
  ASSERT_TRUE(WIFEXITED(raw));
  EXPECT_EQ(WEXITSTATUS(raw), 2) << err;
  EXPECT_NE(err.find("dataset-fashion-mnist"), std::string::npos) << err;
}

}  // namespace
}  // namespace ouro
