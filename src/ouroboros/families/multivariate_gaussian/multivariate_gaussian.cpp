#include "ouroboros/families/multivariate_gaussian/multivariate_gaussian.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <string_view>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/samplers.hpp"
#include "ouroboros/engine/simulator_for.hpp"

namespace ouro {

namespace {

const std::vector<ParamInfo> kTruthParams{
    param::integer("d", "", "dimension").at_least(1),
    param::numbers("mean", "0", "mean: one number (every coordinate) or a list of d numbers"),
    param::numbers("variances", "1", "diagonal of the covariance: one number or a list of d").above(0),
    param::number("correlation", "0", "equicorrelation rho: Sigma_ij = rho sqrt(v_i v_j), i != j; needs -1/(d-1) < rho < 1")
        .above(-1).below(1),
};
const std::vector<ParamInfo> kModelParams{
    param::word("estimator", {"mle", "unbiased"}, "mle", "mle (covariance divisor n) or unbiased (divisor n - 1)"),
};
enum Metric { kTrace, kLogDet, kKl, kMeanSqError, kLogTrace, kMetricCount };

constexpr double kInf = std::numeric_limits<double>::infinity();

// Reads `key` as one number (repeated d times) or a list of exactly d numbers.
std::vector<double> per_coordinate(SpecReader& r, const char* key, Eigen::Index d) {
  const std::size_t size = static_cast<std::size_t>(d);
  std::vector<double> v = r.numbers(key);
  if (v.size() == 1) return std::vector<double>(size, v[0]);
  if (v.size() != size)
    r.fail(key,
           fmt::format("must be one number or a list of d = {} numbers (got a list of {})", d, v.size()));
  return v;
}

// Fills chol and log_det from cov. The Cholesky factor exists whenever cov is positive definite, which a
// fitted covariance is with probability 1 for n >= d + 1; LLT can still fail when rounding makes a nearly
// singular cov indefinite. Then an LDLT with pivoting (P cov P^T = L D L^T) is taken instead and negative
// pivots are clamped to zero: chol = P^T L D^{1/2} is a (non-triangular) square root of the clamped matrix,
// so sampling stays well defined, and log det is -inf as soon as a pivot is zero (KL is then +inf).
void factorize(MultivariateGaussianFamily::Model& m) {
  Eigen::LLT<Eigen::MatrixXd> llt(m.cov);
  if (llt.info() == Eigen::Success) {
    m.chol = llt.matrixL();
    m.lower = true;
    m.log_det = 2.0 * m.chol.diagonal().array().log().sum();
    return;
  }
  Eigen::LDLT<Eigen::MatrixXd> ldlt(m.cov);
  const Eigen::VectorXd pivots = ldlt.vectorD().cwiseMax(0.0);
  const Eigen::MatrixXd l = ldlt.matrixL();
  m.chol = ldlt.transpositionsP().transpose() * (l * pivots.cwiseSqrt().asDiagonal());
  m.lower = false;
  m.log_det = pivots.array().log().sum();
}

}  // namespace

FamilyDescriptor MultivariateGaussianFamily::descriptor() {
  FamilyDescriptor d;
  d.name = "multivariate_gaussian";
  d.summary = "d-dimensional normal N(mean, Sigma), equicorrelated truth";
  d.truth_params = kTruthParams;
  d.model_params = kModelParams;
  d.estimators = {"mle", "unbiased"};
  static constexpr MetricDecl<Metric> kList[]{
      {kTrace, "trace",
       "tr Sigma_k, total variance of the fitted model; heavy-tailed under replace (a product of Wishart "
       "factors): late generations' mean rests on rare replicates, see log_trace"},
      {kLogDet, "logdet", "log det Sigma_k (-inf when Sigma_k is singular)"},
      {kKl, "kl", "KL(truth || model) in nats; +inf when Sigma_k is singular"},
      {kMeanSqError, "mean_sq_error", "||M_k - truth mean||^2"},
      {kLogTrace, "log_trace", "log tr Sigma_k: well resolved where trace is not"},
  };
  static_assert(metrics_in_order(kList));
  d.metrics = metric_infos(kList);
  d.kernels =
      "statistics: mean by a normal, scatter matrix by a Wishart (Bartlett decomposition); "
      "accumulate_subsample uses the sample kernel";
  return d;
}

MultivariateGaussianFamily::MultivariateGaussianFamily(const Spec& truth, const Spec& model) {
  SpecReader t(truth, "truth.family: multivariate_gaussian", kTruthParams);
  d_ = static_cast<Eigen::Index>(t.integer("d"));
  const std::vector<double> mean = per_coordinate(t, "mean", d_);
  variances_ = per_coordinate(t, "variances", d_);
  correlation_ = t.number("correlation");
  t.finish();

  truth_.mean = Eigen::Map<const Eigen::VectorXd>(mean.data(), d_);
  truth_.cov.resize(d_, d_);
  for (Eigen::Index i = 0; i < d_; ++i)
    for (Eigen::Index j = 0; j < d_; ++j) {
      const double sd_ij =
          std::sqrt(variances_[static_cast<std::size_t>(i)] * variances_[static_cast<std::size_t>(j)]);
      truth_.cov(i, j) = i == j ? variances_[static_cast<std::size_t>(i)] : correlation_ * sd_ij;
    }
  // The equicorrelation matrix has eigenvalues 1 - rho and 1 + (d - 1) rho; LLT is the numerical check.
  if (Eigen::LLT<Eigen::MatrixXd>(truth_.cov).info() != Eigen::Success)
    t.fail("correlation", fmt::format("makes the covariance not positive definite: for d = {} it must lie in "
                                      "(-1/(d - 1), 1) = ({:.6g}, 1)",
                                      d_, -1.0 / static_cast<double>(d_ - 1)));
  factorize(truth_);

  SpecReader m(model, "model.family: multivariate_gaussian", kModelParams);
  unbiased_ = m.word("estimator") == "unbiased";
  m.finish();
  fit_.d = static_cast<int>(d_);
  fit_.ddof = unbiased_ ? 1 : 0;
}

void MultivariateGaussianFamily::sample(const Model& m, std::int64_t n, Rng& rng,
                                        std::vector<Sample>& out) const {
  Eigen::VectorXd z(d_);
  for (std::int64_t s = 0; s < n; ++s) {
    for (Eigen::Index i = 0; i < d_; ++i) z[i] = draw_normal(rng);
    out.push_back(m.mean + m.chol * z);
  }
}

void MultivariateGaussianFamily::stats_of(std::span<const Sample> xs, Stats& out) const {
  out = Stats{};
  // Two passes over the samples: the reference computation of the statistics.
  out.n = static_cast<std::int64_t>(xs.size());
  out.mean = Eigen::VectorXd::Zero(d_);
  for (const Sample& x : xs) out.mean += x;
  out.mean /= static_cast<double>(out.n);
  out.scatter = Eigen::MatrixXd::Zero(d_, d_);
  for (const Sample& x : xs) {
    const Eigen::VectorXd dev = x - out.mean;
    out.scatter.noalias() += dev * dev.transpose();
  }
}

void MultivariateGaussianFamily::fit_samples(std::span<const Sample> xs, Model& out) const {
  Stats s;
  stats_of(xs, s);
  fit_stats(s, out);
}

void MultivariateGaussianFamily::draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const {
  out.n = n;
  out.mean.setZero(d_);
  out.scatter.setZero(d_, d_);
  if (n == 0) return;
  const double dn = static_cast<double>(n);
  for (Eigen::Index i = 0; i < d_; ++i) out.mean[i] = draw_normal(rng);
  out.mean = m.mean + m.chol * out.mean / std::sqrt(dn);
  // W = A A^T ~ Wishart_d(n - 1, I), then S = (chol A)(chol A)^T = chol W chol^T.
  const std::int64_t dof = n - 1;
  if (dof == 0) return;
  Eigen::MatrixXd a;
  if (dof >= d_) {
    a.setZero(d_, d_);  // Bartlett (1933)
    for (Eigen::Index i = 0; i < d_; ++i) {
      a(i, i) = std::sqrt(draw_chi_squared(rng, static_cast<double>(dof - i)));
      for (Eigen::Index j = 0; j < i; ++j) a(i, j) = draw_normal(rng);
    }
  } else {
    // Singular Wishart: W = sum of dof outer products z z^T, so A's columns are dof standard normal vectors.
    a.resize(d_, static_cast<Eigen::Index>(dof));
    for (Eigen::Index j = 0; j < a.cols(); ++j)
      for (Eigen::Index i = 0; i < d_; ++i) a(i, j) = draw_normal(rng);
  }
  const Eigen::MatrixXd b = m.chol * a;
  out.scatter.noalias() = b * b.transpose();
}

void MultivariateGaussianFamily::merge(Stats& into, const Stats& from) const {
  if (from.n == 0) return;
  if (into.n == 0) {
    into = from;
    return;
  }
  const double na = static_cast<double>(into.n), nb = static_cast<double>(from.n), n = na + nb;
  const Eigen::VectorXd delta = from.mean - into.mean;
  into.mean += delta * (nb / n);
  into.scatter += from.scatter;
  into.scatter.noalias() += (na * nb / n) * delta * delta.transpose();
  into.n += from.n;
}

void MultivariateGaussianFamily::fit_stats(const Stats& s, Model& out) const {
  const double n = static_cast<double>(s.n);
  out.mean = s.mean;
  out.cov = s.scatter / (unbiased_ ? n - 1.0 : n);
  factorize(out);
}

void MultivariateGaussianFamily::metrics(const Model& m, std::span<double> out, const MetricMask& wanted) const {
  const Eigen::VectorXd delta = m.mean - truth_.mean;
  out[kTrace] = m.cov.trace();
  out[kLogTrace] = std::log(out[kTrace]);
  out[kLogDet] = m.log_det;
  out[kMeanSqError] = delta.squaredNorm();
  if (!wanted(kKl)) {  // the triangular solve, O(d^3), costs as much as the fit
    out[kKl] = std::numeric_limits<double>::quiet_NaN();
    return;
  }
  if (!std::isfinite(m.log_det)) {
    out[kKl] = kInf;
    return;
  }
  // With Sigma_m = C C^T: tr(Sigma_m^{-1} Sigma_t) = ||C^{-1} L_t||_F^2 and the Mahalanobis term is
  // ||C^{-1} delta||^2, so one solve against [L_t | delta] gives both.
  Eigen::MatrixXd rhs(d_, d_ + 1);
  rhs << truth_.chol, delta;
  if (m.lower)
    m.chol.triangularView<Eigen::Lower>().solveInPlace(rhs);
  else
    rhs = m.chol.partialPivLu().solve(rhs);
  out[kKl] = 0.5 * (rhs.squaredNorm() - static_cast<double>(d_) + m.log_det - truth_.log_det);
}

void MultivariateGaussianFamily::validate(const Regime& regime, const SampleSchedule& samples) const {
  const std::int64_t smallest = min_training_size(regime, samples);
  if (smallest < d_ + 1)
    throw UserError(
        fmt::format("experiment.samples: a training set of {} sample(s) under {} is too small for "
                    "multivariate_gaussian(d={}): the fitted covariance is singular below d + 1 = {} samples",
                    smallest, regime.name(), d_, d_ + 1));
}

namespace {

constexpr auto exact = &TheoryValue::exact;

}  // namespace

// theory/gaussian_chain.hpp: given generation k-1, Sigma_k = L W L^T / D with W ~ Wishart_d(m - 1, I)
// independent of the past, D = m (mle) or m - 1 (unbiased), L L^T = Sigma_{k-1}; pooled regimes by the first
// and second moments of the merged scatter.
std::optional<TheoryValue> MultivariateGaussianFamily::theory(const TheoryQuery& q) const {
  const std::int64_t k = q.generation;
  if (q.threshold || k < 1 || k > q.samples.generations() || q.samples.min() < d_ + 1) return std::nullopt;
  const double trace0 = truth_.cov.trace();
  const RegimeKind kind = q.regime.kind;
  std::optional<TheoryValue> v;
  if (kind == RegimeKind::kReplace || kind == RegimeKind::kGrow) {
    const theory::ReplaceMoments r =
        kind == RegimeKind::kReplace && q.samples.constant()
            ? theory::replace_moments(q.samples.at(1), k, fit_)
            : replace_table_.at(q.regime, q.samples, k, theory::ReplaceMoments{},
                                [&](const theory::ReplaceMoments& row, std::int64_t j) {
                                  const std::int64_t m =
                                      kind == RegimeKind::kGrow ? j * q.samples.at(j) : q.samples.at(j);
                                  return theory::replace_step(row, m, fit_);
                                });
    if (q.metric == "trace")
      v = exact(
          trace0 * r.trace,
          "E[tr Sigma_k] = tr Sigma_0 prod_j (m_j - 1)/D_j, m_j = n_j (replace) or j n_j (grow) (derived)");
    else if (q.metric == "logdet")
      v = exact(
          truth_.log_det + r.log_det,
          "E[log det Sigma_k] = log det Sigma_0 + sum_j (sum_i psi((m_j-i)/2) + d log(2/D_j)) (derived; "
          "generalises Suresh et al. 2025 Sec. 5)");
    else if (q.metric == "mean_sq_error")
      v = exact(trace0 * r.mean_sq, "E||M_k - mu_0||^2 = sum_j E[tr Sigma_{j-1}]/m_j (derived)");
    else if (q.metric == "kl")
      v = exact(
          r.kl(static_cast<int>(d_)),
          "E[kl] = (d prod_j c_j + d sum_j (1/m_j) prod_{i>=j} c_i - d + E[log det Sigma_k/Sigma_0])/2, "
          "c_j = D_j/(m_j - d - 2) (derived; inverse Wishart mean)");
  } else if (kind == RegimeKind::kAccumulate) {
    const theory::PooledMoments p =
        pooled_table_.at(q.regime, q.samples, k, theory::PooledMoments{},
                         [&](const theory::PooledMoments& row, std::int64_t j) {
                           return theory::accumulate_step(row, q.samples.at(j), fit_);
                         });
    if (q.metric == "trace")
      v = exact(trace0 * p.trace,
                "E[tr Sigma_k] = E[tr C_k]/D_k, pooled scatter E[tr C_k] = E[tr C_{k-1}] + E[tr Sigma_{k-1}] "
                "(n_k - 1 + N_{k-1}/N_k) (derived)");
    else if (q.metric == "mean_sq_error")
      v = exact(trace0 * p.mean_sq,
                "E||M_k - mu_0||^2 = E||M_{k-1} - mu_0||^2 + n_k E[tr Sigma_{k-1}]/N_k^2 (derived)");
  } else if (kind == RegimeKind::kFreshMix) {
    const theory::MixMoments x = mix_table_.at(
        q.regime, q.samples, k, theory::MixMoments{}, [&](const theory::MixMoments& row, std::int64_t j) {
          const std::int64_t n = q.samples.at(j);
          const std::int64_t real =
              j == 1
                  ? 0
                  : static_cast<std::int64_t>(std::llround(q.regime.real_fraction * static_cast<double>(n)));
          return theory::fresh_mix_step(row, n - real, real, fit_);
        });
    if (q.metric == "trace")
      v = exact(trace0 * x.trace,
                "E[tr Sigma_k] from the merged scatter of s_k synthetic and r_k real samples (derived)");
    else if (q.metric == "mean_sq_error")
      v = exact(trace0 * x.mean_sq,
                "E||M_k - mu_0||^2 = (s_k/n_k)^2 E||M_{k-1} - mu_0||^2 + (s_k E[tr Sigma_{k-1}] + r_k tr "
                "Sigma_0)/n_k^2 "
                "(derived)");
  }
  if (v && !std::isfinite(v->mid)) return std::nullopt;  // kl with some m_j <= d + 2: its mean is infinite
  return v;
}

nlohmann::json MultivariateGaussianFamily::describe() const {
  return {
      {"truth",
       {{"d", d_},
        {"mean", std::vector<double>(truth_.mean.data(), truth_.mean.data() + truth_.mean.size())},
        {"variances", variances_},
        {"correlation", correlation_}}},
      {"estimator", unbiased_ ? "unbiased" : "mle"},
      {"covariance_divisor", unbiased_ ? "n - 1 (ddof 1)" : "n (ddof 0)"},
  };
}

OUROBOROS_REGISTER_FAMILY(MultivariateGaussianFamily);

}  // namespace ouro
