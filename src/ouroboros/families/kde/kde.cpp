#include "ouroboros/families/kde/kde.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/samplers.hpp"
#include "ouroboros/engine/simulator_for.hpp"

namespace ouro {

namespace {
const std::vector<ParamInfo> kTruthParams{
    param::number("mean", "0", "mean of the true normal distribution"),
    param::positive("sd", "1", "standard deviation of the true normal distribution"),
};
const std::vector<ParamInfo> kModelParams{
    param::number_or_word("bandwidth", {"scott", "silverman"}, "scott",
                          "Scott's or Silverman's rule, or a fixed bandwidth h").above(0),
};
enum Metric { kMean, kSigma, kVariance };

double quantile_sorted(const std::vector<double>& v, double q) {
  const double h = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  return lo + 1 < v.size() ? v[lo] + (h - static_cast<double>(lo)) * (v[lo + 1] - v[lo]) : v[lo];
}
}  // namespace

FamilyDescriptor KdeFamily::descriptor() {
  FamilyDescriptor d;
  d.name = "kde";
  d.summary = "1-D Gaussian kernel density estimate; truth N(mean, sd^2)";
  d.truth_params = kTruthParams;
  d.model_params = kModelParams;
  d.estimators = {"scott", "silverman", "fixed bandwidth"};
  static constexpr MetricDecl<Metric> kList[]{
      {kMean, "mean", "mean of the KDE (of its centers)"},
      {kSigma, "sigma", "standard deviation of the KDE distribution: sqrt(var(centers, divisor n) + h^2)"},
      {kVariance, "variance", "variance of the KDE distribution"},
  };
  static_assert(metrics_in_order(kList));
  d.metrics = metric_infos(kList);
  d.kernels = "sample kernel only (the model is its training set)";
  return d;
}

KdeFamily::KdeFamily(const Spec& truth, const Spec& model) {
  SpecReader t(truth, "truth.family: kde", kTruthParams);
  truth_.centers = {t.number("mean")};
  truth_.bandwidth = t.number("sd");
  t.finish();
  SpecReader m(model, "model.family: kde", kModelParams);
  if (m.has_number("bandwidth")) {
    rule_ = Rule::kFixed;
    fixed_ = m.number("bandwidth");
  } else {
    rule_ = m.word("bandwidth") == "scott" ? Rule::kScott : Rule::kSilverman;
  }
  m.finish();
}

void KdeFamily::sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const {
  boost::random::uniform_int_distribution<std::size_t> pick(0, m.centers.size() - 1);
  for (std::int64_t i = 0; i < n; ++i) {
    const double c = m.centers[pick(rng)];
    out.push_back(c + m.bandwidth * draw_normal(rng));
  }
}

void KdeFamily::fit_samples(std::span<const Sample> xs, Model& out) const {
  out.centers.assign(xs.begin(), xs.end());
  if (rule_ == Rule::kFixed) {
    out.bandwidth = fixed_;
    return;
  }
  const double n = static_cast<double>(xs.size());
  double mean = 0, ss = 0;
  for (const double x : xs) mean += x;
  mean /= n;
  for (const double x : xs) ss += (x - mean) * (x - mean);
  const double s = std::sqrt(ss / (n - 1));
  double spread = s;
  if (rule_ == Rule::kSilverman) {
    std::vector<double> sorted(xs.begin(), xs.end());
    std::sort(sorted.begin(), sorted.end());
    const double iqr = quantile_sorted(sorted, 0.75) - quantile_sorted(sorted, 0.25);
    spread = 0.9 * (iqr > 0 ? std::min(s, iqr / 1.34) : s);
  }
  out.bandwidth = spread * std::pow(n, -0.2);
}

void KdeFamily::metrics(const Model& m, std::span<double> out) const {
  const double n = static_cast<double>(m.centers.size());
  double mean = 0, ss = 0;
  for (const double c : m.centers) mean += c;
  mean /= n;
  for (const double c : m.centers) ss += (c - mean) * (c - mean);
  const double variance = ss / n + m.bandwidth * m.bandwidth;
  out[kMean] = mean;
  out[kSigma] = std::sqrt(variance);
  out[kVariance] = variance;
}

void KdeFamily::validate(const Regime& regime, const SampleSchedule& samples) const {
  const std::int64_t smallest = min_training_size(regime, samples);
  if (rule_ != Rule::kFixed && smallest < 2)
    throw UserError(fmt::format("experiment.samples: a training set of {} sample under {} is too small for a "
                                "bandwidth rule, which needs the sample sd (at least 2); give a fixed bandwidth",
                                smallest, regime.name()));
}

// Theory [derived]. The KDE's mean is the mean of its centers and its variance V = var(centers, divisor m) +
// h^2; only the first two moments of each batch enter, so the Gaussian chain's pooled recursions
// (theory/gaussian_chain.hpp) carry over with V in place of the fitted variance. A batch of m samples from
// model k-1 has a scatter of mean (m - 1) V_{k-1}, and its mean lies V_{k-1}/m (in square) from the centers'
// mean.
KdeFamily::Row KdeFamily::step(const Row& previous, const Regime& regime, const SampleSchedule& samples,
                               std::int64_t j) const {
  const double h2 = fixed_ * fixed_, v0 = truth_.bandwidth * truth_.bandwidth;
  const std::int64_t n = samples.at(j);
  Row r;
  switch (regime.kind) {
    case RegimeKind::kAccumulate: {
      r.pool = previous.pool + n;
      const double pool = static_cast<double>(r.pool), before = static_cast<double>(previous.pool);
      r.scatter = previous.scatter + previous.variance * (static_cast<double>(n) - 1 + before / pool);
      r.variance = r.scatter / pool + h2;
      return r;
    }
    case RegimeKind::kFreshMix: {
      const std::int64_t real =
          j == 1 ? 0 : static_cast<std::int64_t>(std::llround(regime.real_fraction * static_cast<double>(n)));
      const double m = static_cast<double>(n), syn = static_cast<double>(n - real),
                   re = static_cast<double>(real);
      const double scatter =
          (syn - 1 + re / m) * previous.variance + (re - 1 + syn / m) * v0 + syn * re / m * previous.mean_sq;
      r.variance = scatter / m + h2;
      r.mean_sq = (syn / m) * (syn / m) * previous.mean_sq + (syn * previous.variance + re * v0) / (m * m);
      return r;
    }
    default: {  // replace, or grow: replace on j n_j samples
      const double m = static_cast<double>(regime.kind == RegimeKind::kGrow ? j * n : n);
      r.variance = (m - 1) / m * previous.variance + h2;
      return r;
    }
  }
}

std::optional<TheoryValue> KdeFamily::theory(const TheoryQuery& q) const {
  const std::int64_t k = q.generation;
  if (q.threshold || k < 1 || k > q.samples.generations()) return std::nullopt;
  TheoryValue v;
  v.kind = TheoryKind::kExact;
  if (q.metric == "mean") {
    // The KDE's mean is its centers' mean, and a sample from it has that mean: by induction every sample,
    // real or synthetic, has mean mu_0, whatever the bandwidth and the regime.
    v.mid = truth_.centers.front();
    v.source =
        "E[mean_k] = mu_0 in every regime and bandwidth: each sample's mean is mu_0, by induction (derived)";
    return v;
  }
  if (rule_ != Rule::kFixed || q.metric != "variance") return std::nullopt;
  const RegimeKind kind = q.regime.kind;
  const double v0 = truth_.bandwidth * truth_.bandwidth, h2 = fixed_ * fixed_;
  switch (kind) {
    case RegimeKind::kReplace:
    case RegimeKind::kGrow:
      v.source =
          "E[V_k] = ((m_k-1)/m_k) E[V_{k-1}] + h^2, m_k = n_k (replace) or k n_k (grow), fixed bandwidth "
          "(derived)";
      if (kind == RegimeKind::kReplace && q.samples.constant()) {
        const double r = 1.0 - 1.0 / static_cast<double>(q.samples.at(1));
        const double rk = std::pow(r, static_cast<double>(k));
        v.mid = rk * v0 + h2 * (1 - rk) / (1 - r);
        return v;
      }
      break;
    case RegimeKind::kAccumulate:
      v.source =
          "E[V_k] = E[C_k]/N_k + h^2, pooled scatter E[C_k] = E[C_{k-1}] + E[V_{k-1}] (n_k - 1 + "
          "N_{k-1}/N_k), fixed bandwidth (derived)";
      break;
    case RegimeKind::kFreshMix:
      v.source =
          "E[V_k] = E[C_k]/n_k + h^2, C_k the merged scatter of s_k synthetic and r_k real samples, fixed "
          "bandwidth (derived)";
      break;
    default:
      return std::nullopt;
  }
  Row first;
  first.variance = v0;
  v.mid = table_
              .at(q.regime, q.samples, k, first,
                  [&](const Row& r, std::int64_t j) { return step(r, q.regime, q.samples, j); })
              .variance;
  return v;
}

nlohmann::json KdeFamily::describe() const {
  return {
      {"truth", {{"mean", truth_.centers.front()}, {"sd", truth_.bandwidth}}},
      {"bandwidth", rule_ == Rule::kFixed   ? nlohmann::json(fixed_)
                    : rule_ == Rule::kScott ? nlohmann::json("scott: s n^(-1/5), s with divisor n - 1")
                                            : nlohmann::json("silverman: 0.9 min(s, IQR/1.34) n^(-1/5)")}};
}

OUROBOROS_REGISTER_FAMILY(KdeFamily);

}  // namespace ouro
