#include "ouroboros/families/linear_regression/linear_regression.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/samplers.hpp"
#include "ouroboros/engine/simulator_for.hpp"

namespace ouro {

namespace {

using Design = LinearRegressionFamily::Design;
using Model = LinearRegressionFamily::Model;

const std::vector<ParamInfo> kTruthParams{
    param::integer("d", "", "dimension").at_least(1),
    param::number("sigma", "1", "label noise standard deviation of every generation's labels").at_least(0),
    param::numbers("spectrum", "1",
                   "eigenvalues of the diagonal feature covariance Sigma: one number c (Sigma = c I) or a list of d")
        .above(0),
    param::positive("power_law", "", "beta: eigenvalues j^(-beta), j = 1..d (instead of spectrum)")
        .computed("none: spectrum applies"),
    param::numbers("w", "", "true weights: a list of d numbers").computed("drawn N(0, I/d) with w_seed"),
    param::positive("source", "", "r: true weights w_j = j^(-(1 + 2 beta r)/2) / sqrt(lambda_j) (needs power_law)")
        .computed("none: w applies"),
    param::integer("w_seed", "0", "seed of the random true weights and of the Monte Carlo test set").at_least(0),
};
const std::vector<ParamInfo> kModelParams{
    param::word("estimator", {"ols", "ridge", "min_norm"}, "ols", "ols, ridge or min_norm"),
    param::number("lambda", "", "ridge penalty: (X^T X + lambda T I)^-1 X^T y")
        .at_least(0)
        .computed("required for ridge unless lambda_exponent"),
    param::number("lambda_exponent", "", "ridge with adaptive lambda = T^(-ell), T the training set's rows")
        .computed("none: lambda applies"),
    param::word("design", {"fixed", "fresh"}, "fixed",
                "fixed (one X per replicate, relabelled every generation) or fresh (new X every batch)"),
    param::integer("test_samples", "0", "rows of the Monte Carlo test set behind test_error_mc (0: that metric is nan)")
        .at_least(0),
    param::integer("downstream_samples", "0",
                   "T of the downstream ridge learner behind downstream_error (0: that metric is nan)")
        .at_least(0),
    param::number("downstream_noise", "", "label noise sd of the downstream learner's training data")
        .at_least(0)
        .computed("the truth's sigma"),
    param::number("downstream_lambda", "0", "ridge penalty of the downstream learner").at_least(0),
    param::number("downstream_lambda_exponent", "", "downstream lambda = downstream_samples^(-ell)")
        .computed("none: downstream_lambda applies"),
};
enum Metric { kTestError, kBias, kVariance, kTestErrorMc, kDownstream, kWeightSqNorm, kMetricCount };

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
// Relative eigenvalue cut-off of the pseudo-inverse: far above the rounding in X^T X (~1e-16 relative) and
// far below the smallest non-zero eigenvalue of any design this family draws.
constexpr double kPinvTolerance = 1e-10;

std::span<const double> view(const Eigen::VectorXd& v) {
  return {v.data(), static_cast<std::size_t>(v.size())};
}

// w = basis h(scale * eig + penalty) basis^T b with h(e) = 1/e, or 0 below the cut-off (pseudo-inverse).
void spectral_solve(const Eigen::MatrixXd& basis, const Eigen::VectorXd& eig, double scale, double penalty,
                    const Eigen::VectorXd& b, Eigen::VectorXd& w) {
  Eigen::VectorXd e = (scale * eig).array() + penalty;
  const double cut = kPinvTolerance * e.maxCoeff();
  for (Eigen::Index i = 0; i < e.size(); ++i) e[i] = e[i] > cut ? 1.0 / e[i] : 0.0;
  w.noalias() = basis * (e.asDiagonal() * (basis.transpose() * b));
}

std::shared_ptr<const Design> make_design(Eigen::MatrixXd x) {
  auto design = std::make_shared<Design>();
  design->gram.noalias() = x.transpose() * x;
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(design->gram);
  design->basis = es.eigenvectors();
  design->eig = es.eigenvalues().cwiseMax(0.0);
  design->factor = design->basis * design->eig.cwiseSqrt().asDiagonal();
  design->x = std::move(x);
  return design;
}

void add_gram(LinearRegressionFamily::Stats& s, const Eigen::MatrixXd& gram) {
  if (s.gram.size() == 0)
    s.gram = gram;
  else
    s.gram += gram;
}

}  // namespace

FamilyDescriptor LinearRegressionFamily::descriptor() {
  FamilyDescriptor d;
  d.name = "linear_regression";
  d.summary = "y = x^T w + noise, x ~ N(0, Sigma); fixed or fresh design; ols, ridge, min_norm";
  d.truth_params = kTruthParams;
  d.model_params = kModelParams;
  d.estimators = {"ols", "ridge", "min_norm"};
  static constexpr MetricDecl<Metric> kList[]{
      {kTestError, "test_error", "||w_k - w*||^2_Sigma, the exact excess test error"},
      {kBias, "bias", "||w_clean_k - w*||^2_Sigma, w_clean = the same chain without label noise = E[w_k | designs]"},
      {kVariance, "variance", "||w_k - w_clean_k||^2_Sigma; E[test_error] = E[bias] + E[variance]"},
      {kTestErrorMc, "test_error_mc", "mean of (x^T (w_k - w*))^2 over a fixed test set of test_samples rows (nan when 0)"},
      {kDownstream, "downstream_error",
       "expected ||w_pred - w*||^2_Sigma of a ridge learner on downstream_samples rows labelled by w_k "
       "(exact at downstream_lambda = 0, deterministic equivalent otherwise; nan when off)"},
      {kWeightSqNorm, "weight_sq_norm", "||w_k||^2"},
  };
  static_assert(metrics_in_order(kList));
  d.metrics = metric_infos(kList);
  d.kernels =
      "statistics: X^T eps ~ N(0, sigma^2 X^T X); fixed design reuses X^T X and its eigenvectors (O(d^2) per "
      "generation), fresh design draws X^T X by Bartlett's Wishart decomposition; accumulate_subsample uses "
      "the "
      "sample kernel";
  return d;
}

LinearRegressionFamily::LinearRegressionFamily(const Spec& truth, const Spec& model) {
  SpecReader t(truth, "truth.family: linear_regression", kTruthParams);
  d_ = static_cast<Eigen::Index>(t.integer("d"));
  const auto size = static_cast<std::size_t>(d_);
  sigma_ = t.number("sigma");
  eig_.resize(d_);
  if (t.has("power_law")) {
    if (t.has("spectrum")) t.fail("spectrum", "cannot be combined with power_law: give one of the two");
    beta_ = t.number("power_law");
    for (Eigen::Index j = 0; j < d_; ++j) eig_[j] = std::pow(static_cast<double>(j + 1), -beta_);
    spectrum_kind_ = "power_law";
  } else {
    std::vector<double> v = t.numbers("spectrum");
    if (v.size() == 1) v.assign(size, v[0]);
    if (v.size() != size)
      t.fail("spectrum",
             fmt::format("has {} eigenvalues but d = {}: give one number (Sigma = c I) or exactly d "
                         "eigenvalues, or change d",
                         v.size(), d_));
    eig_ = Eigen::Map<const Eigen::VectorXd>(v.data(), d_);
    spectrum_kind_ = (eig_.array() == eig_[0]).all() ? "isotropic" : "diagonal";
  }
  sqrt_eig_ = eig_.cwiseSqrt();
  w_seed_ = t.integer("w_seed");
  truth_.w.resize(d_);
  if (t.has("w")) {
    if (t.has("source")) t.fail("source", "cannot be combined with w: give one of the two");
    const std::vector<double> v = t.numbers("w");
    if (v.size() != size)
      t.fail("w", fmt::format("has {} numbers but d = {}: give exactly d weights", v.size(), d_));
    truth_.w = Eigen::Map<const Eigen::VectorXd>(v.data(), d_);
    w_kind_ = "given";
  } else if (t.has("source")) {
    if (spectrum_kind_ != "power_law")
      t.fail("source", "needs power_law = beta: the source condition is stated on a power-law spectrum");
    source_ = t.number("source");
    for (Eigen::Index j = 0; j < d_; ++j)
      truth_.w[j] = std::pow(static_cast<double>(j + 1), -(1.0 + 2.0 * beta_ * source_) / 2.0) / sqrt_eig_[j];
    w_kind_ = "source";
  } else {
    Rng rng(static_cast<std::uint64_t>(w_seed_), 0, 0, Stream::kTruth);
    for (Eigen::Index j = 0; j < d_; ++j) truth_.w[j] = draw_normal(rng) / std::sqrt(static_cast<double>(d_));
    w_kind_ = "random";
  }
  truth_.w_clean = truth_.w;
  t.finish();

  SpecReader m(model, "model.family: linear_regression", kModelParams);
  const std::string estimator = m.word("estimator");
  estimator_ = estimator == "ridge"      ? Estimator::kRidge
               : estimator == "min_norm" ? Estimator::kMinNorm
                                         : Estimator::kOls;
  if (estimator_ == Estimator::kRidge) {
    if (m.has("lambda_exponent")) {
      if (m.has("lambda")) m.fail("lambda", "cannot be combined with lambda_exponent: give one of the two");
      lambda_exponent_ = m.number("lambda_exponent");
    } else {
      if (!m.has("lambda")) m.fail("lambda", "is required with estimator=ridge (or give lambda_exponent)");
      lambda_ = m.number("lambda");
    }
  }
  fixed_design_ = m.word("design") == "fixed";
  const std::int64_t test_samples = m.integer("test_samples");
  test_x_.resize(test_samples, d_);
  Rng test_rng(static_cast<std::uint64_t>(w_seed_), 1, 0, Stream::kTruth);
  for (Eigen::Index i = 0; i < test_x_.rows(); ++i)
    for (Eigen::Index j = 0; j < d_; ++j) test_x_(i, j) = sqrt_eig_[j] * draw_normal(test_rng);
  downstream_samples_ = m.integer("downstream_samples");
  if (downstream_samples_ > 0) {
    downstream_noise_ = m.has("downstream_noise") ? m.number("downstream_noise") : sigma_;
    const double T = static_cast<double>(downstream_samples_);
    double lambda = 0;
    if (m.has("downstream_lambda_exponent")) {
      if (m.has("downstream_lambda"))
        m.fail("downstream_lambda",
               "cannot be combined with downstream_lambda_exponent: give one of the two");
      downstream_lambda_exponent_ = m.number("downstream_lambda_exponent");
      lambda = std::pow(T, -*downstream_lambda_exponent_);
    } else {
      lambda = m.number("downstream_lambda");
    }
    if (lambda == 0 && downstream_samples_ < d_ + 2)
      m.fail("downstream_samples",
             fmt::format("must be >= d + 2 = {} with downstream_lambda = 0 (the learner's expected error is "
                         "infinite below); raise it or give downstream_lambda > 0",
                         d_ + 2));
    downstream_ = theory::ridge_equivalent(view(eig_), lambda, T);
    downstream_clean_ = theory::downstream_error(view(eig_), view(truth_.w), view(truth_.w),
                                                 downstream_noise_ * downstream_noise_, downstream_);
  }
  m.finish();
}

Eigen::MatrixXd LinearRegressionFamily::draw_rows(Rng& rng, std::int64_t m) const {
  Eigen::MatrixXd x(m, d_);
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    for (Eigen::Index j = 0; j < d_; ++j) x(i, j) = sqrt_eig_[j] * draw_normal(rng);
  return x;
}

double LinearRegressionFamily::ridge_penalty(std::int64_t rows) const {
  if (estimator_ != Estimator::kRidge) return 0.0;
  const double T = static_cast<double>(rows);
  return (lambda_exponent_ ? std::pow(T, -*lambda_exponent_) : lambda_) * T;
}

void LinearRegressionFamily::sample(const Model& m, std::int64_t n, Rng& rng,
                                    std::vector<Sample>& out) const {
  if (n == 0) return;
  std::shared_ptr<const Design> design = m.design;
  Eigen::MatrixXd fresh;
  if (!design) {
    fresh = draw_rows(rng, n);
    if (fixed_design_) design = make_design(fresh);
  }
  const Eigen::MatrixXd& x = design ? design->x : fresh;
  for (std::int64_t i = 0; i < n; ++i) {
    Sample s;
    s.x = x.row(i % x.rows()).transpose();
    s.y_clean = s.x.dot(m.w_clean);
    s.y = s.x.dot(m.w) + sigma_ * draw_normal(rng);
    s.design = design;
    out.push_back(std::move(s));
  }
}

void LinearRegressionFamily::stats_of(std::span<const Sample> xs, Stats& out) const {
  out = Stats{};
  out.count = static_cast<std::int64_t>(xs.size());
  out.xty = out.xty_clean = Eigen::VectorXd::Zero(d_);
  if (xs.empty()) return;
  // Whole copies of one fixed design, row by row in order (a batch drawn by sample()): the design's own X^T X
  // and the spectral solve, as draw_stats gives them; X^T y per copy as one product.
  const auto& design = xs.front().design;
  if (design) {
    const auto t = design->x.rows();
    bool copies = static_cast<Eigen::Index>(xs.size()) % t == 0;
    for (std::size_t i = 0; copies && i < xs.size(); ++i)
      copies = xs[i].design == design && xs[i].x == design->x.row(static_cast<Eigen::Index>(i) % t).transpose();
    if (copies) {
      out.design = design;
      out.copies = static_cast<std::int64_t>(xs.size()) / t;
      Eigen::VectorXd y(t), y_clean(t);
      for (std::int64_t c = 0; c < out.copies; ++c) {
        for (Eigen::Index i = 0; i < t; ++i) {
          y(i) = xs[static_cast<std::size_t>(c * t + i)].y;
          y_clean(i) = xs[static_cast<std::size_t>(c * t + i)].y_clean;
        }
        out.xty.noalias() += design->x.transpose() * y;
        out.xty_clean.noalias() += design->x.transpose() * y_clean;
      }
      return;
    }
  }
  // The reference computation of the statistics, one row at a time.
  out.gram = Eigen::MatrixXd::Zero(d_, d_);
  for (const Sample& row : xs) {
    out.gram.noalias() += row.x * row.x.transpose();
    out.xty += row.y * row.x;
    out.xty_clean += row.y_clean * row.x;
    if (!out.design) out.design = row.design;
  }
}

void LinearRegressionFamily::fit_samples(std::span<const Sample> xs, Model& out) const {
  Stats s;
  stats_of(xs, s);
  fit_stats(s, out);
}

void LinearRegressionFamily::draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const {
  out.design = m.design;
  out.copies = 0;
  out.gram.resize(0, 0);
  out.xty.setZero(d_);
  out.xty_clean.setZero(d_);
  out.count = n;
  if (n == 0) return;
  Eigen::VectorXd z(d_);
  if (!m.design && fixed_design_) {
    // Generation 1 (or fresh real rows): these n rows become a design that later batches relabel.
    out.design = make_design(draw_rows(rng, n));
    out.copies = 1;
    for (Eigen::Index j = 0; j < d_; ++j) z[j] = draw_normal(rng);
    out.xty.noalias() = out.design->gram * m.w + sigma_ * (out.design->factor * z);
    out.xty_clean.noalias() = out.design->gram * m.w_clean;
    return;
  }
  if (!m.design) {
    // Fresh rows: X = Z D with D = Sigma^{1/2}, so X^T X = D (Z^T Z) D and Z^T Z = A A^T ~ Wishart_d(n, I),
    // A from Bartlett (1933) when n >= d (A_jj = sqrt(chi2_{n-j}), N(0, 1) below the diagonal), else
    // n outer products of standard normal vectors. X^T eps ~ N(0, sigma^2 X^T X) is then sigma D A z.
    Eigen::MatrixXd a;
    if (n >= d_) {
      a.setZero(d_, d_);
      for (Eigen::Index i = 0; i < d_; ++i) {
        a(i, i) = std::sqrt(draw_chi_squared(rng, static_cast<double>(n - i)));
        for (Eigen::Index j = 0; j < i; ++j) a(i, j) = draw_normal(rng);
      }
    } else {
      a.resize(d_, n);
      for (Eigen::Index j = 0; j < a.cols(); ++j)
        for (Eigen::Index i = 0; i < d_; ++i) a(i, j) = draw_normal(rng);
    }
    const Eigen::MatrixXd b = sqrt_eig_.asDiagonal() * a;
    Eigen::VectorXd u(b.cols());
    for (Eigen::Index j = 0; j < u.size(); ++j) u[j] = draw_normal(rng);
    out.gram.noalias() = b * b.transpose();
    out.xty.noalias() = out.gram * m.w + sigma_ * (b * u);
    out.xty_clean.noalias() = out.gram * m.w_clean;
    return;
  }
  // Relabel the design tiled: c whole copies (their noise sums to N(0, c sigma^2 X^T X)) and r leftover rows.
  const Design& design = *m.design;
  const std::int64_t rows = design.x.rows();
  out.copies = n / rows;
  const std::int64_t rest = n % rows;
  if (out.copies > 0) {
    const double c = static_cast<double>(out.copies);
    for (Eigen::Index j = 0; j < d_; ++j) z[j] = draw_normal(rng);
    out.xty.noalias() = c * (design.gram * m.w) + (sigma_ * std::sqrt(c)) * (design.factor * z);
    out.xty_clean.noalias() = c * (design.gram * m.w_clean);
  }
  if (rest > 0) {
    const auto top = design.x.topRows(rest);
    out.gram.noalias() = top.transpose() * top;
    Eigen::VectorXd eps(rest);
    for (Eigen::Index i = 0; i < eps.size(); ++i) eps[i] = draw_normal(rng);
    out.xty.noalias() += out.gram * m.w + sigma_ * (top.transpose() * eps);
    out.xty_clean.noalias() += out.gram * m.w_clean;
  }
}

void LinearRegressionFamily::merge(Stats& into, const Stats& from) const {
  if (from.count == 0) return;
  if (into.count == 0) {
    into = from;
    return;
  }
  into.count += from.count;
  into.xty += from.xty;
  into.xty_clean += from.xty_clean;
  if (from.gram.size() > 0) add_gram(into, from.gram);
  if (from.copies == 0) return;
  if (into.design == from.design) {
    into.copies += from.copies;
  } else if (!into.design) {
    into.design = from.design;
    into.copies = from.copies;
  } else {
    // Rows of another design (fresh real rows under fresh_mix) are pooled explicitly; into keeps its design,
    // the one later generations relabel.
    add_gram(into, static_cast<double>(from.copies) * from.design->gram);
  }
}

void LinearRegressionFamily::fit_stats(const Stats& s, Model& out) const {
  out.design = s.design;
  const double penalty = ridge_penalty(s.count);
  const bool pinv = estimator_ == Estimator::kMinNorm;
  // Unpenalised least squares on a full-rank design reproduces noiseless linear labels exactly, so by
  // induction its noiseless chain never leaves w*: set it exactly rather than to w* plus rounding.
  const bool unbiased = !pinv && penalty == 0;
  if (unbiased) out.w_clean = truth_.w;
  if (s.gram.size() == 0 && s.design && s.copies > 0) {
    // Only whole copies of the design: X^T X = c V diag(s) V^T, an O(d^2) spectral solve.
    const double c = static_cast<double>(s.copies);
    spectral_solve(s.design->basis, s.design->eig, c, penalty, s.xty, out.w);
    if (!unbiased) spectral_solve(s.design->basis, s.design->eig, c, penalty, s.xty_clean, out.w_clean);
    return;
  }
  Eigen::MatrixXd gram = s.gram.size() > 0 ? s.gram : Eigen::MatrixXd::Zero(d_, d_);
  if (s.design && s.copies > 0) gram += static_cast<double>(s.copies) * s.design->gram;
  gram.diagonal().array() += penalty;
  if (!pinv) {
    const Eigen::LLT<Eigen::MatrixXd> llt(gram);
    if (llt.info() == Eigen::Success) {
      out.w = llt.solve(s.xty);
      if (!unbiased) out.w_clean = llt.solve(s.xty_clean);
      return;
    }
  }
  // min_norm, or a singular system (fewer rows than d without a penalty, where the shortcut above does not
  // hold): the pseudo-inverse.
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(gram);
  const Eigen::VectorXd eig = es.eigenvalues().cwiseMax(0.0);
  spectral_solve(es.eigenvectors(), eig, 1.0, 0.0, s.xty, out.w);
  spectral_solve(es.eigenvectors(), eig, 1.0, 0.0, s.xty_clean, out.w_clean);
}

void LinearRegressionFamily::fit_weighted(const Stats& real, const Stats& synthetic, double real_weight,
                                          Model& out) const {
  // X^T W X and X^T W y with the frequency weights of regime.hpp (they sum to the row count, so a ridge penalty
  // scaled by T is unchanged). The model keeps the synthetic rows' design: the one later generations relabel.
  const auto a = sample_weights(real_weight, static_cast<double>(real.count), static_cast<double>(synthetic.count));
  Stats s;
  s.design = synthetic.design ? synthetic.design : real.design;
  s.count = real.count + synthetic.count;
  s.gram = Eigen::MatrixXd::Zero(d_, d_);
  s.xty = s.xty_clean = Eigen::VectorXd::Zero(d_);
  for (const auto& [part, weight] : {std::pair{&real, a.real}, std::pair{&synthetic, a.synthetic}}) {
    if (part->count == 0) continue;
    if (part->gram.size() > 0) s.gram += weight * part->gram;
    if (part->design && part->copies > 0) s.gram += weight * static_cast<double>(part->copies) * part->design->gram;
    s.xty += weight * part->xty;
    s.xty_clean += weight * part->xty_clean;
  }
  fit_stats(s, out);
}

void LinearRegressionFamily::metrics(const Model& m, std::span<double> out) const {
  const Eigen::VectorXd diff = m.w - truth_.w;
  out[kTestError] = (eig_.array() * diff.array().square()).sum();
  out[kBias] = (eig_.array() * (m.w_clean - truth_.w).array().square()).sum();
  out[kVariance] = (eig_.array() * (m.w - m.w_clean).array().square()).sum();
  out[kTestErrorMc] =
      test_x_.rows() > 0 ? (test_x_ * diff).squaredNorm() / static_cast<double>(test_x_.rows()) : kNan;
  out[kDownstream] = downstream_samples_ > 0
                         ? theory::downstream_error(view(eig_), view(truth_.w), view(m.w),
                                                    downstream_noise_ * downstream_noise_, downstream_)
                         : kNan;
  out[kWeightSqNorm] = m.w.squaredNorm();
}

void LinearRegressionFamily::validate(const Regime& regime, const SampleSchedule& samples) const {
  const std::int64_t smallest = min_training_size(regime, samples);
  const bool unpenalised =
      estimator_ == Estimator::kOls || (estimator_ == Estimator::kRidge && !lambda_exponent_ && lambda_ == 0);
  if (unpenalised && smallest < d_ + 2)
    throw UserError(
        fmt::format("experiment.samples: a training set of {} rows under {} is too small for unpenalised "
                    "least squares with "
                    "d = {}: it needs T >= d + 2 = {} rows (its expected test error is infinite below); use "
                    "more samples, "
                    "estimator=min_norm, or estimator=ridge with lambda > 0",
                    smallest, regime.name(), d_, d_ + 2));
}

nlohmann::json LinearRegressionFamily::describe() const {
  const auto vec = [](const Eigen::VectorXd& v) {
    return std::vector<double>(v.data(), v.data() + v.size());
  };
  nlohmann::json j{
      {"truth",
       {{"d", d_},
        {"sigma", sigma_},
        {"spectrum", spectrum_kind_},
        {"eigenvalues", vec(eig_)},
        {"w", w_kind_},
        {"w_values", vec(truth_.w)},
        {"w_seed", w_seed_}}},
      {"estimator", estimator_ == Estimator::kOls     ? "ols"
                    : estimator_ == Estimator::kRidge ? "ridge"
                                                      : "min_norm"},
      {"design", fixed_design_ ? "fixed (one X per replicate; a batch of m rows relabels X tiled)"
                               : "fresh (new rows every batch)"},
      {"normalisation",
       "ridge: (X^T X + lambda T I)^-1 X^T y, T = rows of the training set; min_norm: "
       "(X^T X)^+ X^T y"},
      {"test_samples", test_x_.rows()},
  };
  if (beta_ > 0) j["truth"]["power_law"] = beta_;
  if (source_ > 0) j["truth"]["source"] = source_;
  if (estimator_ == Estimator::kRidge) {
    if (lambda_exponent_)
      j["lambda_exponent"] = *lambda_exponent_;
    else
      j["lambda"] = lambda_;
  }
  if (downstream_samples_ > 0)
    j["downstream"] = {{"samples", downstream_samples_},
                       {"noise", downstream_noise_},
                       {"lambda", downstream_.lambda},
                       {"kappa", downstream_.kappa},
                       {"error", downstream_.lambda == 0 ? "exact" : "deterministic equivalent"}};
  return j;
}

OUROBOROS_REGISTER_FAMILY(LinearRegressionFamily);

}  // namespace ouro
