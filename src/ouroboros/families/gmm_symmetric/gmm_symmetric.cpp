#include "ouroboros/families/gmm_symmetric/gmm_symmetric.hpp"

#include <fmt/format.h>

#include <boost/math/tools/minima.hpp>
#include <cmath>
#include <limits>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/samplers.hpp"
#include "ouroboros/engine/simulator_for.hpp"
#include "ouroboros/theory/suresh2025.hpp"

namespace ouro {

namespace {
enum Metric { kMu, kSigma, kMuError };
const std::vector<ParamInfo> kTruthParams{
    param::number("mu", "1", "component means are +mu and -mu").at_least(0),
    param::positive("sigma", "1", "common standard deviation"),
};
const std::vector<ParamInfo> kModelParams{
    param::word("estimator", {"approximate", "joint"}, "approximate",
                "approximate (Suresh et al.'s approximate joint ML) or joint (numerical joint ML)"),
};

struct Moments {
  double n, m1, m2;  // count, mean |y|, mean y^2
  double s2;         // mean (|y| - m1)^2 = m2 - m1^2, computed about m1 (two passes)
};

// s2 comes from a second pass about m1, never as m2 - m1^2: once sigma is small against mu, every |y| is close to
// mu and m2 - m1^2 cancels to rounding noise of either sign (a negative one made sigma NaN at sigma ~ 1e-8 mu).
Moments moments(std::span<const double> ys) {
  Moments m{static_cast<double>(ys.size()), 0, 0, 0};
  for (const double y : ys) m.m1 += std::abs(y);
  m.m1 /= m.n;
  for (const double y : ys) {
    const double d = std::abs(y) - m.m1;
    m.s2 += d * d;
  }
  m.s2 /= m.n;
  m.m2 = m.m1 * m.m1 + m.s2;
  return m;
}

}  // namespace

FamilyDescriptor GmmSymmetricFamily::descriptor() {
  FamilyDescriptor d;
  d.name = "gmm_symmetric";
  d.summary = "1/2 N(mu, sigma^2) + 1/2 N(-mu, sigma^2)";
  d.truth_params = kTruthParams;
  d.model_params = kModelParams;
  d.estimators = {"approximate", "joint"};
  static constexpr MetricDecl<Metric> kList[]{
      {kMu, "mu", "fitted component mean mu_k (>= 0)"},
      {kSigma, "sigma", "fitted component standard deviation sigma_k"},
      {kMuError, "mu_error", "|mu_k - mu_0|"},
  };
  static_assert(metrics_in_order(kList));
  d.metrics = metric_infos(kList);
  d.kernels = "sample kernel only";
  return d;
}

GmmSymmetricFamily::GmmSymmetricFamily(const Spec& truth, const Spec& model) {
  SpecReader t(truth, "truth.family: gmm_symmetric", kTruthParams);
  truth_.mu = t.number("mu");
  truth_.sigma = t.number("sigma");
  t.finish();
  SpecReader m(model, "model.family: gmm_symmetric", kModelParams);
  joint_ = m.word("estimator") == "joint";
  m.finish();
}

void GmmSymmetricFamily::sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const {
  for (std::int64_t i = 0; i < n; ++i) {
    const double sign = rng() >> 63 ? 1.0 : -1.0;
    out.push_back(sign * m.mu + m.sigma * draw_normal(rng));
  }
}

GmmSymmetricFamily::Model GmmSymmetricFamily::approximate_joint_ml(std::span<const double> ys) {
  const Moments s = moments(ys);
  constexpr double eta = 2;
  const double c = (eta - 1) * ((s.n - 1) / 2 + 4 * eta) / (eta * (s.n - 1) * (s.n + 4 * eta - 1));
  const double kappa = std::expm1(c);
  // Written with s2 so that no difference of nearly equal terms is formed: m2 - (1 + kappa) m1^2 = s2 - kappa m1^2,
  // and when the estimate has mu > 0, m2 - sigma^2 = m1^2 + s2 - sigma^2 with sigma^2 <= s2 m2 / m1^2.
  const double denom = s.s2 - kappa * s.m1 * s.m1;
  double var = s.m2;
  if (denom <= 0) {  // a = inf
    if (s.m2 <= 2 * s.m1 * s.m1) var = s.m2 * s.s2 / (s.m1 * s.m1);
  } else {
    const double a = 2 * (1 + kappa) * s.m2 / denom;
    if (a > 2 && s.m2 <= (2 * a / (a - 2)) * s.m1 * s.m1) var = a * s.m2 * s.s2 / (a * s.m1 * s.m1 + 2 * s.m2);
  }
  if (var == s.m2) return {0.0, std::sqrt(var)};
  // mu^2 = m2 - var = m1^2 + (s2 - var); var is a multiple of s2 here, so the bracket is small when s2 is.
  return {std::sqrt(std::max(0.0, s.m1 * s.m1 + (s.s2 - var))), std::sqrt(var)};
}

double GmmSymmetricFamily::log_likelihood(const Model& m, std::span<const double> ys) {
  // log(1/2 phi((y - mu)/s) + 1/2 phi((y + mu)/s)) - log s = log cosh(mu y / s^2) - (y^2 + mu^2)/(2 s^2) - log s + c.
  // With log cosh(a) = |a| + log1p(e^{-2|a|}) - log 2 the two large terms combine exactly into -(|y| - mu)^2/(2 s^2):
  // no cancellation between terms of size mu^2/s^2 when the components are far apart.
  const double v = m.sigma * m.sigma;
  double l = 0;
  for (const double y : ys) {
    const double d = std::abs(y) - m.mu;
    l += -d * d / (2 * v) + std::log1p(std::exp(-2 * m.mu * std::abs(y) / v));
  }
  return l - static_cast<double>(ys.size()) * (std::log(m.sigma) + std::log(2.0) + 0.5 * std::log(2 * M_PI));
}

GmmSymmetricFamily::Model GmmSymmetricFamily::joint_ml(std::span<const double> ys) {
  const Moments s = moments(ys);
  // Every |y| equal: the likelihood grows without bound as sigma -> 0 at mu = |y|.
  if (s.s2 == 0) return {s.m1, 0.0};
  // The search runs over log sigma along the curve mu^2 = m2 - sigma^2. Brent's method locates a minimum to about
  // sqrt(machine epsilon) of its argument; over mu that left sigma^2 = m2 - mu^2 resolved only to ~1e-8 m2, so
  // collapsing chains stalled near sigma ~ 4e-4. Over log sigma the relative precision of sigma is ~1e-8 at any
  // scale. At the maximum sigma^2 >= mean (|y| - mu)^2 >= s2 up to the overlap term, so sqrt(s2)/100 is a safe
  // lower end; sqrt(m2) (mu = 0) is the upper one.
  const auto point = [&](double log_sigma) {
    const double sigma = std::exp(log_sigma);
    return Model{std::sqrt(std::max(0.0, s.m2 - sigma * sigma)), sigma};
  };
  const auto negative = [&](double log_sigma) { return -log_likelihood(point(log_sigma), ys); };
  std::uintmax_t iterations = 200;
  const double lo = 0.5 * std::log(s.s2) - std::log(100.0), hi = 0.5 * std::log(s.m2);
  const auto [log_sigma, value] = boost::math::tools::brent_find_minima(negative, lo, hi, 52, iterations);
  (void)value;
  return point(log_sigma);
}

void GmmSymmetricFamily::fit_samples(std::span<const Sample> ys, Model& out) const {
  out = joint_ ? joint_ml(ys) : approximate_joint_ml(ys);
}

void GmmSymmetricFamily::metrics(const Model& m, std::span<double> out) const {
  out[kMu] = m.mu;
  out[kSigma] = m.sigma;
  out[kMuError] = std::abs(m.mu - truth_.mu);
}

void GmmSymmetricFamily::validate(const Regime& regime, const SampleSchedule& samples) const {
  const std::int64_t smallest = min_training_size(regime, samples);
  if (smallest < 2)
    throw UserError(fmt::format("experiment.samples: a training set of {} sample under {} is too small for "
                                "gmm_symmetric, which needs at least 2", smallest, regime.name()));
}

std::optional<TheoryValue> GmmSymmetricFamily::theory(const TheoryQuery& q) const {
  if (!q.threshold || joint_ || q.regime.kind != RegimeKind::kReplace || !q.samples.constant()) return std::nullopt;
  const Threshold& t = *q.threshold;
  if (t.metric != "sigma" || (t.op != ">" && t.op != ">=") || !(t.value > 0)) return std::nullopt;
  TheoryValue v;
  v.hi = theory::gmm_sigma_tail_thm4(truth_.sigma, t.value, q.samples.at(1), q.generation);
  v.kind = TheoryKind::kBound;
  v.source = "upper bound: Suresh et al. 2025, Theorem 4 (approximate joint ML)";
  return v;
}

nlohmann::json GmmSymmetricFamily::describe() const {
  return {{"truth", {{"mu", truth_.mu}, {"sigma", truth_.sigma}}},
          {"estimator", joint_ ? "joint" : "approximate"},
          {"convention", joint_ ? "numerical joint ML: Brent over log sigma with mu^2 = mean(y^2) - sigma^2"
                                : "approximate joint ML of Suresh et al. with eta = 2"}};
}

OUROBOROS_REGISTER_FAMILY(GmmSymmetricFamily);

}  // namespace ouro
