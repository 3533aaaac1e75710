// linear_regression: simulation against the closed forms of Gerstgrasser et al. 2024 and Dohmatob et al. 2024
// through the runner, the statistics kernel against the per-sample reference, the Monte Carlo metrics
// against the exact ones, and bad-input messages. Tolerances are standard errors from the replicate counts
// (4.5 se for a mean against an exact value); seeds are fixed, so every run is identical.
#include "ouroboros/families/linear_regression/linear_regression.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/samplers.hpp"
#include "support/collect.hpp"
#include "support/stats.hpp"

namespace ouro {
namespace {

using testing::experiment_toml;
using testing::run_toml;

void expect_theory(const testing::Row& row, const std::string& what) {
  ASSERT_FALSE(std::isnan(row.theory.mid)) << what << ": no theory attached";
  EXPECT_NEAR(row.stats.mean, row.theory.mid, 4.5 * row.stats.se + 1e-12)
      << what << " (" << row.theory.source << ")";
}

std::string with_design(const std::string& model, const std::string& design) {
  return model.substr(0, model.size() - 1) + ", design=" + design + ")";
}

// Gerstgrasser et al.: replace n, accumulate sum 1/i^2, grow H_n, on the fixed design (replace also fresh).
TEST(LinearRegression, OlsChainsMatchGerstgrasser) {
  const std::string truth = "linear_regression(d=6, sigma=0.7, spectrum=[2, 1, 1, 0.5, 0.3, 0.1])";
  for (const std::string design : {"fixed", "fresh"}) {
    const std::string regimes =
        design == "fixed" ? "[\"replace\", \"accumulate\", \"grow\"]" : "[\"replace\"]";
    const auto run = run_toml(experiment_toml(truth, with_design("linear_regression(estimator=ols)", design),
                                              20, 3000, 16, regimes));
    for (const std::string regime : {"replace", "accumulate", "grow"}) {
      if (design == "fresh" && regime != "replace") continue;
      for (const std::int64_t k : {1, 2, 5, 20}) {
        const std::string what = design + " " + regime + " k=" + std::to_string(k);
        expect_theory(run.sink.at(regime, k, "test_error"), what + " test_error");
        expect_theory(run.sink.at(regime, k, "variance"), what + " variance");
        EXPECT_LT(run.sink.at(regime, k, "bias").stats.mean, 1e-20) << what;  // E[w | X] = w* exactly
      }
    }
  }
}

// Fresh designs under replace and grow, on a per-generation schedule and (grow) a constant one:
// E||w_k - w*||^2_Sigma = sigma^2 d sum_j 1/(m_j - d - 1), m_j = n_j or j n_j; the downstream learner at
// lambda = 0 adds the same sum times sigma0^2 d to E_clean.
TEST(LinearRegression, FreshDesignsOnASchedule) {
  const std::string truth = "linear_regression(d=4, sigma=0.7, spectrum=[2, 1, 0.5, 0.3])";
  const std::string model = "linear_regression(estimator=ols, design=fresh, downstream_samples=12)";
  const auto run = run_toml(experiment_toml(truth, model, 6, 3000, 1, "[\"replace\", \"grow\"]"),
                            {"experiment.samples=[9, 14, 10, 20, 9, 11]"});
  const auto constant = run_toml(experiment_toml(truth, model, 6, 3000, 8, "[\"grow\"]"));
  for (const std::int64_t k : {1, 2, 3, 6}) {
    for (const std::string regime : {"replace", "grow"})
      for (const char* metric : {"test_error", "variance", "downstream_error"})
        expect_theory(run.sink.at(regime, k, metric), regime + " " + metric + " k=" + std::to_string(k));
    for (const char* metric : {"test_error", "downstream_error"})
      expect_theory(constant.sink.at("grow", k, metric), std::string("grow, n = 8, ") + metric);
  }
  // E||w_3 - w*||^2_Sigma by hand for replace: sigma^2 d (1/4 + 1/9 + 1/5). (Every m_j >= d + 4, so the test
  // error has a finite variance and the standard error means what it says.)
  EXPECT_NEAR(run.sink.at("replace", 3, "test_error").theory.mid, 0.49 * 4 * (1.0 / 4 + 1.0 / 9 + 1.0 / 5),
              1e-12);
}

// Dohmatob et al.: E_clean + n sigma0^2 rho for the downstream learner, exact at lambda = 0; at lambda > 0
// the metric is the deterministic equivalent and the same formula is its exact mean over the generators.
TEST(LinearRegression, DownstreamChainMatchesDohmatob) {
  const std::string truth = "linear_regression(d=5, sigma=0.5, power_law=1.5)";
  for (const std::string learner : {"downstream_lambda=0", "downstream_lambda=0.05"}) {
    const std::string model =
        "linear_regression(design=fresh, downstream_samples=30, downstream_noise=0.3, " + learner + ")";
    const auto run = run_toml(experiment_toml(truth, model, 10, 3000, 12, "[\"replace\", \"accumulate\"]"));
    for (const std::int64_t k : {1, 3, 10})
      expect_theory(run.sink.at("replace", k, "downstream_error"), learner + " k=" + std::to_string(k));
    // Fresh designs have no closed form under accumulate: nothing is attached there.
    EXPECT_TRUE(std::isnan(run.sink.at("accumulate", 3, "downstream_error").theory.mid));
  }
}

// Over-parameterised generators (T0 < d), minimum-norm interpolation on fresh designs: collapse towards 0 at
// rate (T0/d)^n, with and without label noise.
TEST(LinearRegression, OverparameterisedMinNormCollapses) {
  for (const std::string sigma : {"0", "0.5"}) {
    const auto run = run_toml(experiment_toml("linear_regression(d=16, sigma=" + sigma + ", spectrum=2)",
                                              "linear_regression(estimator=min_norm, design=fresh)", 12, 3000,
                                              6, "[\"replace\"]"));
    for (const std::int64_t k : {1, 2, 6, 12})
      for (const std::string metric : {"test_error", "bias", "variance", "weight_sq_norm"}) {
        const auto& row = run.sink.at("replace", k, metric);
        if (sigma == "0" && metric == "variance") {
          EXPECT_EQ(row.theory.mid, 0.0);
          EXPECT_LT(row.stats.mean, 1e-20);
          continue;
        }
        expect_theory(row, "sigma=" + sigma + " k=" + std::to_string(k) + " " + metric);
      }
  }
}

std::vector<double> chain_values(const Simulator& sim, const std::string& regime_text, KernelKind kernel,
                                 std::int64_t n, std::int64_t generation, std::uint64_t seed,
                                 std::uint64_t rep, std::size_t metric) {
  const Regime regime = parse_regime(regime_text);
  const SampleSchedule samples(std::vector<std::int64_t>(static_cast<std::size_t>(generation), n));
  auto chain = sim.chain(regime, kernel, samples, seed, rep);
  std::vector<double> values(sim.metrics().size());
  std::vector<double> out;
  for (std::int64_t k = 1; k <= generation; ++k) {
    chain->step(k, values);
    if (k == 2 || k == generation) out.push_back(values[metric]);
  }
  return out;
}

// The statistics kernel (reused or Wishart-drawn X^T X, X^T eps ~ N(0, sigma^2 X^T X)) against the per-sample
// reference, beyond the conformance suite: both designs, every estimator, pools and grown sets, T < d.
TEST(LinearRegression, StatisticsKernelAgreesWithSampleKernel) {
  struct Setting {
    std::string model, regime;
    std::int64_t n;
  };
  const std::string truth = "linear_regression(d=4, sigma=0.8, spectrum=[1.5, 1, 0.6, 0.2], w_seed=3)";
  const std::vector<Setting> settings{
      {"linear_regression(estimator=ols)", "accumulate", 9},
      {"linear_regression(estimator=ols)", "grow", 7},
      {"linear_regression(estimator=ridge, lambda=0.2)", "fresh_mix(real_fraction=0.3)", 9},
      {"linear_regression(estimator=ridge, lambda_exponent=0.5)", "accumulate", 6},
      {"linear_regression(estimator=ridge, lambda=0.1, design=fresh)", "accumulate", 6},
      {"linear_regression(estimator=min_norm, design=fresh)", "replace", 3},
      {"linear_regression(estimator=min_norm)", "grow", 3},
  };
  const int reps = 1500;
  for (const auto& s : settings) {
    const auto sim = make_simulator(truth, s.model);
    for (const std::size_t metric : {std::size_t{0}, std::size_t{1}}) {  // test_error, bias
      std::map<std::size_t, std::vector<double>> a, b;
      for (int r = 0; r < reps; ++r) {
        const auto x = chain_values(*sim, s.regime, KernelKind::kStatistics, s.n, 6, 11,
                                    static_cast<std::uint64_t>(r), metric);
        const auto y = chain_values(*sim, s.regime, KernelKind::kSample, s.n, 6, 12,
                                    static_cast<std::uint64_t>(r), metric);
        for (std::size_t i = 0; i < x.size(); ++i) {
          a[i].push_back(x[i]);
          b[i].push_back(y[i]);
        }
      }
      for (const auto& [i, xs] : a) {
        const std::string what =
            s.model + " " + s.regime + (i == 0 ? " k=2 " : " k=6 ") + sim->metrics()[metric].name;
        EXPECT_LE(testing::z_difference(testing::moments(xs), testing::moments(b[i])), 4.0) << what;
        EXPECT_LT(testing::ks_scaled(xs, b[i]), 1.95) << what;
      }
    }
  }
}

// test_error_mc = (w - w*)^T Sigma_test (w - w*) with Sigma_test the test set's second-moment matrix: by the
// Marchenko-Pastur edges its ratio to the exact test_error lies within (1 +- sqrt(d/N))^2.
TEST(LinearRegression, MonteCarloTestErrorAgreesWithExact) {
  const std::int64_t d = 4, n_test = 40000;
  const auto sim = make_simulator("linear_regression(d=4, spectrum=[3, 1, 0.5, 0.1])",
                                  "linear_regression(test_samples=" + std::to_string(n_test) + ")");
  const double edge = std::sqrt(static_cast<double>(d) / static_cast<double>(n_test));
  for (std::uint64_t rep = 0; rep < 20; ++rep) {
    const auto exact = chain_values(*sim, "replace", KernelKind::kStatistics, 8, 3, 1, rep, 0);
    const auto mc = chain_values(*sim, "replace", KernelKind::kStatistics, 8, 3, 1, rep, 3);
    for (std::size_t i = 0; i < exact.size(); ++i) {
      EXPECT_GT(mc[i] / exact[i], (1 - 1.5 * edge) * (1 - 1.5 * edge));
      EXPECT_LT(mc[i] / exact[i], (1 + 1.5 * edge) * (1 + 1.5 * edge));
    }
  }
}

// Monte Carlo of the downstream learner itself: T fresh rows labelled by a teacher w with noise sigma, ridge
// (X^T X + lambda T I)^{-1} X^T y, scored against w*.
testing::Moments downstream_monte_carlo(const Eigen::VectorXd& eig, const Eigen::VectorXd& w0,
                                        const Eigen::VectorXd& w, double sigma, double lambda, std::int64_t T,
                                        int draws) {
  Rng rng(77, 0, 0, Stream::kSynthetic);
  const Eigen::Index d = eig.size();
  std::vector<double> errors;
  for (int t = 0; t < draws; ++t) {
    Eigen::MatrixXd x(T, d);
    Eigen::VectorXd y(T);
    for (Eigen::Index i = 0; i < T; ++i) {
      for (Eigen::Index j = 0; j < d; ++j) x(i, j) = std::sqrt(eig[j]) * draw_normal(rng);
      y[i] = x.row(i).dot(w) + sigma * draw_normal(rng);
    }
    Eigen::MatrixXd a = x.transpose() * x;
    a.diagonal().array() += lambda * static_cast<double>(T);
    const Eigen::VectorXd pred = a.llt().solve(x.transpose() * y);
    errors.push_back((eig.array() * (pred - w0).array().square()).sum());
  }
  return testing::moments(errors);
}

TEST(LinearRegression, DownstreamMetricAgreesWithMonteCarloLearner) {
  // lambda = 0: the metric is exact, so the Monte Carlo mean must agree within its standard error.
  // lambda > 0: the metric is the deterministic equivalent; at d = 40, T = 80 it is checked to 3% (it was
  // within 1% of 4000 learners in both settings when this test was written).
  struct Setting {
    std::string truth, learner;
    std::int64_t d, T;
    double lambda, rel_tol;
  };
  const std::vector<Setting> settings{
      {"linear_regression(d=6, sigma=0.4, spectrum=[2, 1, 1, 0.5, 0.3, 0.1])", "downstream_lambda=0", 6, 20,
       0.0, 0.0},
      {"linear_regression(d=40, sigma=0.4, power_law=1)", "downstream_lambda=0.02", 40, 80, 0.02, 0.03},
      {"linear_regression(d=40, sigma=0.4)", "downstream_lambda=0.3", 40, 80, 0.3, 0.03},
  };
  for (const auto& s : settings) {
    const Spec truth = parse_spec(s.truth);
    const LinearRegressionFamily family(
        truth,
        parse_spec("linear_regression(downstream_samples=" + std::to_string(s.T) + ", " + s.learner + ")"));
    LinearRegressionFamily::Model teacher = family.truth();
    Rng rng(5, 0, 0, Stream::kSynthetic);
    for (Eigen::Index j = 0; j < teacher.w.size(); ++j)
      teacher.w[j] += 0.3 * draw_normal(rng) / std::sqrt(double(s.d));
    std::vector<double> metrics(6);
    family.metrics(teacher, metrics);
    const Eigen::VectorXd eig = Eigen::Map<const Eigen::VectorXd>(
        family.describe()["truth"]["eigenvalues"].get<std::vector<double>>().data(), s.d);
    const auto mc = downstream_monte_carlo(eig, family.truth().w, teacher.w, 0.4, s.lambda, s.T, 4000);
    EXPECT_NEAR(metrics[4], mc.mean, 4.5 * mc.se + s.rel_tol * mc.mean) << s.truth << " " << s.learner;
  }
}

std::string user_error(const std::string& truth, const std::string& model, std::int64_t samples = 20) {
  try {
    run_toml(experiment_toml(truth, model, 3, 2, samples, "[\"replace\", \"accumulate_subsample(size=5)\"]"));
  } catch (const UserError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no UserError for " << truth << " / " << model;
  return {};
}

TEST(LinearRegression, BadInputNamesTheProblemAndTheFix) {
  const std::string ok = "linear_regression(d=4)";
  std::string e = user_error(ok, "linear_regression(estimator=ols)");
  EXPECT_NE(e.find("training set of 5 rows under accumulate_subsample(size=5)"), std::string::npos) << e;
  EXPECT_NE(e.find("T >= d + 2 = 6"), std::string::npos) << e;
  EXPECT_NE(e.find("estimator=min_norm"), std::string::npos) << e;
  e = user_error("linear_regression(d=8)", "linear_regression(estimator=ridge, lambda=0)", 9);
  EXPECT_NE(e.find("T >= d + 2 = 10"), std::string::npos) << e;
  e = user_error(ok, "linear_regression(estimator=ridge, lambda=-0.1)");
  EXPECT_NE(e.find("'lambda=-0.1' must be >= 0"), std::string::npos) << e;
  e = user_error("linear_regression(d=4, spectrum=[1, 2, 3])", "linear_regression(estimator=min_norm)");
  EXPECT_NE(e.find("has 3 eigenvalues but d = 4"), std::string::npos) << e;
  EXPECT_NE(e.find("exactly d"), std::string::npos) << e;
  e = user_error("linear_regression(d=4, w=[1, 2])", "linear_regression(estimator=min_norm)");
  EXPECT_NE(e.find("has 2 numbers but d = 4"), std::string::npos) << e;
  e = user_error("linear_regression(d=4, source=0.5)", "linear_regression(estimator=min_norm)");
  EXPECT_NE(e.find("needs power_law"), std::string::npos) << e;
  e = user_error(ok, "linear_regression(estimator=ridge)");
  EXPECT_NE(e.find("is required with estimator=ridge"), std::string::npos) << e;
  e = user_error(ok, "linear_regression(estimator=min_norm, downstream_samples=5)");
  EXPECT_NE(e.find("must be >= d + 2 = 6 with downstream_lambda = 0"), std::string::npos) << e;
  e = user_error(ok, "linear_regression(estimator=min_norm, lambda=1)");
  EXPECT_NE(e.find("'lambda' does not apply"), std::string::npos) << e;
  // Valid: min_norm and ridge with a penalty accept any training set.
  EXPECT_NO_THROW(
      run_toml(experiment_toml(ok, "linear_regression(estimator=min_norm)", 3, 2, 3, "[\"replace\"]")));
  EXPECT_NO_THROW(run_toml(
      experiment_toml(ok, "linear_regression(estimator=ridge, lambda=0.1)", 3, 2, 3, "[\"replace\"]")));
}

}  // namespace
}  // namespace ouro
