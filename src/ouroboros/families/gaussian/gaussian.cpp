#include "ouroboros/families/gaussian/gaussian.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <utility>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/samplers.hpp"
#include "ouroboros/engine/simulator_for.hpp"
#include "ouroboros/families/gaussian/gaussian_optimized.hpp"
#include "ouroboros/theory/suresh2025.hpp"

namespace ouro {

namespace {

const std::vector<ParamInfo> kTruthParams{
    param::number("mean", "0", "mean of the true distribution"),
    param::positive("sd", "1", "standard deviation of the true distribution"),
};
const std::vector<ParamInfo> kModelParams{
    param::word("estimator", {"mle", "unbiased", "optimized"}, "mle",
                "mle (variance divisor n), unbiased (divisor n - 1) or optimized (numerical MLE)"),
    param::word("known", {"none", "mean", "variance"}, "none",
                "none, mean (the mean stays the truth's) or variance (the sd stays the truth's)"),
};
enum Metric { kMean, kSigma, kVariance, kLogVariance, kMeanSqError, kKl, kConverged, kError, kMetricCount };

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

FamilyDescriptor GaussianFamily::descriptor() {
  FamilyDescriptor d;
  d.name = "gaussian";
  d.summary = "1-D normal N(mean, sd^2)";
  d.truth_params = kTruthParams;
  d.model_params = kModelParams;
  d.estimators = {"mle", "unbiased", "optimized"};
  static constexpr MetricDecl<Metric> kList[]{
      {kMean, "mean", "fitted mean M_k"},
      {kSigma, "sigma", "fitted standard deviation S_k"},
      {kVariance, "variance",
       "fitted variance S_k^2; heavy-tailed under replace (sigma_0^2 times a product of chi-square "
       "factors): late generations' mean rests on rare replicates, see log_variance"},
      {kLogVariance, "log_variance", "log S_k^2 (-inf when S_k = 0)"},
      {kMeanSqError, "mean_sq_error", "(M_k - truth mean)^2"},
      {kKl, "kl", "KL(truth || model) in nats; +inf when S_k = 0"},
      {kConverged, "converged", "1 if the estimator converged (always, except for a failed optimized fit), else 0", true},
      {kError, "error", "|(M_k, S_k) - (mu_0, sigma_0)|, Barzilai & Shamir's error |theta_k - theta_0| for theta = (mu, sigma)"},
  };
  static_assert(metrics_in_order(kList));
  d.metrics = metric_infos(kList);
  d.kernels = "statistics: mean by a normal, sum of squared deviations by a chi-squared; "
              "accumulate_subsample uses the sample kernel";
  return d;
}

GaussianFamily::GaussianFamily(const Spec& truth, const Spec& model) {
  SpecReader t(truth, "truth.family: gaussian", kTruthParams);
  truth_.mean = t.number("mean");
  truth_.sd = t.number("sd");
  log_truth_sd_ = std::log(truth_.sd);
  t.finish();
  SpecReader m(model, "model.family: gaussian", kModelParams);
  const std::string estimator = m.word("estimator");
  unbiased_ = estimator == "unbiased";
  optimized_ = estimator == "optimized";
  const std::string known = m.word("known");
  known_ = known == "mean" ? Known::kMean : known == "variance" ? Known::kVariance : Known::kNone;
  if (optimized_ && known_ != Known::kNone) m.fail("known", "must be none with estimator=optimized");
  m.finish();
  fit_.d = 1;
  fit_.ddof = unbiased_ ? 1 : 0;
  fit_.mean_known = known_ == Known::kMean;
  fit_.cov_known = known_ == Known::kVariance;
}

void GaussianFamily::sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const {
  for (std::int64_t i = 0; i < n; ++i) out.push_back(m.mean + m.sd * draw_normal(rng));
}

void GaussianFamily::stats_of(std::span<const Sample> xs, Stats& out) const {
  out = Stats{};
  // Two passes over the samples: the reference computation of the statistics.
  out.n = static_cast<std::int64_t>(xs.size());
  for (const double x : xs) out.mean += x;
  out.mean /= static_cast<double>(out.n);
  for (const double x : xs) out.m2 += (x - out.mean) * (x - out.mean);
}

void GaussianFamily::fit_samples(std::span<const Sample> xs, Model& out) const {
  Stats s;
  stats_of(xs, s);
  fit_stats(s, out);
}

void GaussianFamily::draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const {
  out.n = n;
  if (n == 0) {
    out.mean = out.m2 = 0;
    return;
  }
  const double dn = static_cast<double>(n);
  out.mean = m.mean + m.sd * draw_normal(rng) / std::sqrt(dn);
  out.m2 = n > 1 ? m.sd * m.sd * draw_chi_squared(rng, dn - 1.0) : 0.0;
}

void GaussianFamily::merge(Stats& into, const Stats& from) const {
  if (from.n == 0) return;
  if (into.n == 0) {
    into = from;
    return;
  }
  const double na = static_cast<double>(into.n), nb = static_cast<double>(from.n), n = na + nb;
  const double delta = from.mean - into.mean;
  into.mean += delta * nb / n;
  into.m2 += from.m2 + delta * delta * na * nb / n;
  into.n += from.n;
}

// Out of line, so that the closed-form fit below stays small enough to inline into the kernel's step.
[[gnu::noinline]] static void fit_optimized(const GaussianFamily::Stats& s, GaussianFamily::Model& out) {
  const GaussianFit fit = optimize_gaussian_mle(s.n, s.mean, s.m2);
  out.mean = fit.mean;
  out.sd = fit.sd;
  out.converged = fit.converged;
}

void GaussianFamily::fit_stats(const Stats& s, Model& out) const {
  if (optimized_) [[unlikely]] {
    fit_optimized(s, out);
    return;
  }
  out.converged = true;
  const double n = static_cast<double>(s.n);
  switch (known_) {
    case Known::kMean:
      out.mean = truth_.mean;
      out.sd = std::sqrt((s.m2 + n * (s.mean - truth_.mean) * (s.mean - truth_.mean)) / n);
      break;
    case Known::kVariance:
      out.mean = s.mean;
      out.sd = truth_.sd;
      break;
    case Known::kNone:
      out.mean = s.mean;
      out.sd = std::sqrt(s.m2 / (unbiased_ ? n - 1.0 : n));
      break;
  }
}

void GaussianFamily::fit_weighted(const Stats& real, const Stats& synthetic, double real_weight, Model& out) const {
  // Weighted mean and weighted scatter about it (within-group scatter plus the between-group term), with the
  // frequency weights summing to n: the estimator's divisor is unchanged.
  const double r = static_cast<double>(real.n), s = static_cast<double>(synthetic.n);
  const auto a = sample_weights(real_weight, r, s);
  Stats w;
  w.n = real.n + synthetic.n;
  w.mean = (a.real * r * real.mean + a.synthetic * s * synthetic.mean) / static_cast<double>(w.n);
  const double dr = real.mean - w.mean, ds = synthetic.mean - w.mean;
  w.m2 = a.real * (real.m2 + r * dr * dr) + a.synthetic * (synthetic.m2 + s * ds * ds);
  fit_stats(w, out);
}

void GaussianFamily::metrics(const Model& m, std::span<double> out, const MetricMask& wanted) const {
  const double var = m.sd * m.sd;
  const double d = m.mean - truth_.mean;
  out[kMean] = m.mean;
  out[kSigma] = m.sd;
  out[kVariance] = var;
  out[kMeanSqError] = d * d;
  out[kConverged] = m.converged ? 1.0 : 0.0;
  out[kError] = wanted(kError) ? std::hypot(d, m.sd - truth_.sd) : std::numeric_limits<double>::quiet_NaN();
  if (!wanted(kLogVariance) && !wanted(kKl)) {  // the one logarithm of a step
    out[kLogVariance] = out[kKl] = std::numeric_limits<double>::quiet_NaN();
    return;
  }
  const double log_var = var > 0 ? std::log(var) : -kInf;
  out[kLogVariance] = log_var;
  out[kKl] = var > 0 ? 0.5 * log_var - log_truth_sd_ + (truth_.sd * truth_.sd + d * d) / (2.0 * var) - 0.5 : kInf;
}

void GaussianFamily::validate(const Regime& regime, const SampleSchedule& samples) const {
  const std::int64_t smallest = min_training_size(regime, samples);
  if (unbiased_ && known_ == Known::kNone && smallest < 2)
    throw UserError(fmt::format(
        "experiment.samples: a training set of {} sample(s) under {} is too small for "
        "gaussian(estimator=unbiased), which divides by n - 1 and needs at least 2",
        smallest, regime.name()));
}

namespace {

constexpr auto exact = &TheoryValue::exact;

// Training sizes of generation j: the fit's m_j under replace and grow, and fresh_mix's synthetic and real
// parts (generation 1 is all real: draws from the truth in every regime).
std::int64_t replace_size(RegimeKind kind, const SampleSchedule& samples, std::int64_t j) {
  return kind == RegimeKind::kGrow ? j * samples.at(j) : samples.at(j);
}
std::pair<std::int64_t, std::int64_t> mix_sizes(const Regime& regime, const SampleSchedule& samples,
                                                std::int64_t j) {
  const std::int64_t n = samples.at(j);
  if (j == 1) return {n, 0};
  const auto real = static_cast<std::int64_t>(std::llround(regime.real_fraction * static_cast<double>(n)));
  return {n - real, real};
}

}  // namespace

std::optional<TheoryValue> GaussianFamily::theory(const TheoryQuery& q) const {
  if (auto v = mixing_theory(q)) return v;
  const std::int64_t k = q.generation;
  // The closed forms are for the exact estimators.
  if (optimized_ || k < 1 || k > q.samples.generations()) return std::nullopt;
  if (q.metric == "mean" && !q.threshold)
    return exact(truth_.mean, "E[M_k] = mu_0 in every regime: each sample's mean is mu_0, by induction (derived)");
  // Every result below needs each fit to be well defined: two samples when the mean is fitted.
  if (known_ == Known::kNone && q.samples.min() < 2) return std::nullopt;
  const double s0 = truth_.sd, v0 = s0 * s0;
  const RegimeKind kind = q.regime.kind;
  const bool replace_like = kind == RegimeKind::kReplace || kind == RegimeKind::kGrow;
  // Replace and grow share one recursion (grow is replace on j n_j samples); a constant n under replace has
  // it in closed form.
  const auto replace_row = [&] {
    if (kind == RegimeKind::kReplace && q.samples.constant())
      return theory::replace_moments(q.samples.at(1), k, fit_);
    return replace_table_.at(q.regime, q.samples, k, theory::ReplaceMoments{},
                             [&](const theory::ReplaceMoments& r, std::int64_t j) {
                               return theory::replace_step(r, replace_size(kind, q.samples, j), fit_);
                             });
  };
  if (q.threshold) {
    const Threshold& t = *q.threshold;
    if (t.metric != "sigma" || (t.op != ">" && t.op != ">=") || !(t.value > 0) || !replace_like ||
        known_ == Known::kVariance)
      return std::nullopt;
    TheoryValue v;
    v.kind = TheoryKind::kBound;
    if (kind == RegimeKind::kReplace && q.samples.constant() && unbiased_ && known_ == Known::kNone) {
      // Three upper bounds on Pr(S_k > eps), each for a constant n; the tightest is reported.
      const std::int64_t n = q.samples.at(1);
      const double thm3 = theory::gaussian_sigma_tail_thm3(s0, t.value, n, k);
      const double bertrand = theory::gaussian_sigma_tail_bertrand(s0, t.value, n, k);
      const double moment = theory::gaussian_sigma_tail_moment(s0, t.value, n, k, 0.7);
      v.hi = std::min({thm3, bertrand, moment});
      v.source =
          "upper bound: min of Suresh et al. 2025 Theorem 3, Bertrand et al. 2024 (alpha(n)^k), "
          "and the s = 0.7 moment bound";
      return v;
    }
    // Theorem 3 needs a constant n; Markov's inequality on the exact E[S_k] holds for any sizes.
    v.hi = std::min(1.0, s0 * std::exp(replace_row().log_sd) / t.value);
    v.source = "upper bound: Markov's inequality on the exact E[S_k] = sigma_0 prod_j alpha(m_j) (derived)";
    return v;
  }
  std::optional<TheoryValue> v;
  if (replace_like) {
    const theory::ReplaceMoments r = replace_row();
    if (q.metric == "variance")
      v = exact(v0 * r.trace,
                "E[S_k^2] = sigma_0^2 prod_j nu_j/D_j: nu_j = m_j - 1 (m_j, mean known), D_j the divisor, "
                "m_j = n_j (replace) or j n_j (grow) (derived)");
    else if (q.metric == "log_variance")
      v = exact(
          std::log(v0) + r.log_det,
          "E[log S_k^2] = log sigma_0^2 + sum_j (psi(nu_j/2) + log(2/D_j)), m_j = n_j (replace) or j n_j "
          "(grow) (derived)");
    else if (q.metric == "sigma")
      v = exact(
          s0 * std::exp(r.log_sd),
          "E[S_k] = sigma_0 prod_j alpha(m_j), alpha = sqrt(2/D) Gamma((nu+1)/2)/Gamma(nu/2), m_j = n_j "
          "(replace) or j n_j (grow) (derived)");
    else if (q.metric == "mean_sq_error")
      v = exact(v0 * r.mean_sq,
                "E[(M_k - mu_0)^2] = sum_j E[S_{j-1}^2]/m_j, m_j = n_j (replace) or j n_j (grow) (derived)");
    else if (q.metric == "kl")
      v = exact(
          r.kl(1),
          "E[kl] = (E[sigma_0^2/S_k^2] + E[(M_k-mu_0)^2/S_k^2] - 1 + E[log(S_k^2/sigma_0^2)])/2, products of "
          "D_j/(nu_j - 2) (derived; needs every nu_j > 2)");
  } else if (kind == RegimeKind::kAccumulate) {
    const theory::PooledMoments p = pooled_table_.at(
        q.regime, q.samples, k, theory::PooledMoments{}, [&](const theory::PooledMoments& r, std::int64_t j) {
          return theory::accumulate_step(r, q.samples.at(j), fit_);
        });
    if (q.metric == "variance")
      v = exact(
          v0 * p.trace,
          "E[S_k^2] = E[C_k]/D_k, pooled scatter E[C_k] = E[C_{k-1}] + E[S_{k-1}^2] (n_k - 1 + N_{k-1}/N_k) "
          "(derived)");
    else if (q.metric == "mean_sq_error")
      v = exact(
          v0 * p.mean_sq,
          "E[(M_k - mu_0)^2] = E[(M_{k-1} - mu_0)^2] + n_k E[S_{k-1}^2]/N_k^2, N_k = n_1+...+n_k (derived; "
          "Barzilai & Shamir 2025 for a constant n and a known variance)");
    else if (q.metric == "kl" && known_ == Known::kVariance)
      v = exact(p.mean_sq / 2, "E[kl] = E[(M_k - mu_0)^2]/(2 sigma^2), pooled mean recursion (derived)");
  } else if (kind == RegimeKind::kFreshMix) {
    const theory::MixMoments x = mix_table_.at(
        q.regime, q.samples, k, theory::MixMoments{}, [&](const theory::MixMoments& r, std::int64_t j) {
          const auto [synthetic, real] = mix_sizes(q.regime, q.samples, j);
          return theory::fresh_mix_step(r, synthetic, real, fit_);
        });
    if (q.metric == "variance")
      v = exact(
          v0 * x.trace,
          "E[S_k^2] from the merged scatter of s_k synthetic and r_k real samples: (s_k - 1 + r_k/n_k) "
          "E[S_{k-1}^2] + (r_k - 1 + s_k/n_k) sigma_0^2 + (s_k r_k/n_k) E[(M_{k-1} - mu_0)^2] (derived)");
    else if (q.metric == "mean_sq_error")
      v = exact(
          v0 * x.mean_sq,
          "E[(M_k - mu_0)^2] = (s_k/n_k)^2 E[(M_{k-1} - mu_0)^2] + (s_k E[S_{k-1}^2] + r_k sigma_0^2)/n_k^2 "
          "(derived)");
    else if (q.metric == "kl" && known_ == Known::kVariance)
      v = exact(x.mean_sq / 2, "E[kl] = E[(M_k - mu_0)^2]/(2 sigma^2), fresh_mix mean recursion (derived)");
  }
  if (v && !std::isfinite(v->mid)) return std::nullopt;  // a mean that does not exist (kl with nu_j <= 2)
  return v;
}

nlohmann::json GaussianFamily::describe() const {
  return {
      {"truth", {{"mean", truth_.mean}, {"sd", truth_.sd}}},
      {"estimator", optimized_ ? "optimized" : unbiased_ ? "unbiased" : "mle"},
      {"known", known_ == Known::kMean ? "mean" : known_ == Known::kVariance ? "variance" : "none"},
      {"variance_divisor", known_ == Known::kMean ? "n (mean known)"
                           : unbiased_          ? "n - 1 (ddof 1)"
                           : optimized_         ? "n (numerical MLE: NLopt Nelder-Mead from (0, log 1))"
                                                : "n (ddof 0)"},
  };
}

OUROBOROS_REGISTER_FAMILY(GaussianFamily);

}  // namespace ouro
