#include "ouroboros/families/categorical/categorical.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ouroboros/core/samplers.hpp"
#include "ouroboros/engine/simulator_for.hpp"
#include "ouroboros/families/categorical/truth_builder.hpp"
#include "ouroboros/theory/suresh2025.hpp"

namespace ouro {

namespace {

const std::vector<ParamInfo> kModelParams{
    param::word("estimator", {"mle", "add_constant"}, "mle",
                "mle (empirical frequencies) or add_constant ((N_i + beta)/(n + m beta))"),
    param::positive("beta", "0.5", "the added constant for add_constant"),
};
enum Metric { kSupport, kTv, kKl, kEntropy };

}  // namespace

FamilyDescriptor CategoricalFamily::descriptor() {
  FamilyDescriptor d;
  d.name = "categorical";
  d.summary = "distribution over m symbols; truth zipf, uniform, explicit, from a counts file or a corpus's word counts";
  d.truth_params = categorical_truth_params();
  d.model_params = kModelParams;
  d.estimators = {"mle", "add_constant"};
  static constexpr MetricDecl<Metric> kList[]{
      {kSupport, "support", "number of symbols with p_i > 0 (alive)"},
      {kTv, "tv", "total variation distance to the truth"},
      {kKl, "kl", "KL(truth || model) in nats; +inf once a true symbol is forgotten"},
      {kEntropy, "entropy", "entropy of the model in nats"},
  };
  static_assert(metrics_in_order(kList));
  d.metrics = metric_infos(kList);
  d.kernels = "statistics: multinomial counts by conditional binomials over alive symbols; "
              "accumulate_subsample by a multivariate hypergeometric on pooled counts";
  return d;
}

CategoricalFamily::CategoricalFamily(const Spec& truth, const Spec& model) {
  CategoricalTruth t = build_categorical_truth(truth);
  truth_.p = std::move(t.p);
  labels_ = std::move(t.labels);
  truth_description_ = std::move(t.description);
  for (std::uint32_t i = 0; i < truth_.p.size(); ++i)
    if (truth_.p[i] > 0) truth_.alive.push_back(i);
  truth_support_ = truth_.alive.size();
  truth_runs_ = theory::probability_runs(truth_.p);
  SpecReader m(model, "model.family: categorical", kModelParams);
  add_constant_ = m.word("estimator") == "add_constant";
  if (add_constant_) beta_ = m.number("beta");
  m.finish();
}

void CategoricalFamily::reset(Stats& s) const {
  if (s.counts.size() != items()) {
    s.counts.assign(items(), 0);
  } else {
    for (const auto i : s.support) s.counts[i] = 0;
  }
  s.support.clear();
  s.total = 0;
}

void CategoricalFamily::sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const {
  // Reference path: inversion of the cumulative distribution by binary search, one uniform per sample.
  std::vector<double> cdf;
  cdf.reserve(m.alive.size());
  double acc = 0;
  for (const auto i : m.alive) cdf.push_back(acc += m.p[i]);
  for (std::int64_t s = 0; s < n; ++s) {
    const double u = rng.uniform() * acc;
    const auto j = std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin();
    out.push_back(m.alive[std::min<std::size_t>(static_cast<std::size_t>(j), cdf.size() - 1)]);
  }
}

void CategoricalFamily::stats_of(std::span<const Sample> xs, Stats& out) const {
  reset(out);
  for (const auto x : xs) {
    if (out.counts[x]++ == 0) out.support.push_back(x);
  }
  out.total = static_cast<std::int64_t>(xs.size());
}

void CategoricalFamily::fit_samples(std::span<const Sample> xs, Model& out) const {
  Stats s;
  stats_of(xs, s);
  fit_stats(s, out);
}

void CategoricalFamily::draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const {
  reset(out);
  if (n == 0 || m.alive.empty()) return;
  draw_multinomial(rng, n, m.p, m.alive, out.counts);
  for (const auto i : m.alive)
    if (out.counts[i] > 0) out.support.push_back(i);
  out.total = n;
}

void CategoricalFamily::merge(Stats& into, const Stats& from) const {
  if (into.counts.size() != items()) reset(into);
  for (const auto i : from.support) {
    if (into.counts[i] == 0) into.support.push_back(i);
    into.counts[i] += from.counts[i];
  }
  into.total += from.total;
}

void CategoricalFamily::subsample_stats(const Stats& pool, std::int64_t n, Rng& rng, Stats& out) const {
  reset(out);
  draw_multivariate_hypergeometric(rng, n, pool.counts, pool.support, out.counts);
  for (const auto i : pool.support)
    if (out.counts[i] > 0) out.support.push_back(i);
  out.total = n;
}

void CategoricalFamily::fit_stats(const Stats& s, Model& out) const {
  const std::size_t m = items();
  if (out.p.size() != m) {
    out.p.assign(m, 0.0);
    out.alive.clear();
  }
  const double total = static_cast<double>(s.total);
  if (add_constant_) {
    const double denom = total + static_cast<double>(m) * beta_;
    if (out.alive.size() != m) {
      out.alive.resize(m);
      for (std::uint32_t i = 0; i < m; ++i) out.alive[i] = i;
    }
    for (std::size_t i = 0; i < m; ++i) out.p[i] = (static_cast<double>(s.counts[i]) + beta_) / denom;
    return;
  }
  for (const auto i : out.alive) out.p[i] = 0.0;
  out.alive.clear();
  for (const auto i : s.support) {
    out.p[i] = static_cast<double>(s.counts[i]) / total;
    out.alive.push_back(i);
  }
}

void CategoricalFamily::fit_weighted(const Stats& real, const Stats& synthetic, double real_weight,
                                     Model& out) const {
  // The estimator of fit_stats on weighted counts a_r N_i(real) + a_s N_i(synthetic), which sum to n.
  const std::size_t m = items();
  const double r = static_cast<double>(real.total), s = static_cast<double>(synthetic.total);
  const auto a = sample_weights(real_weight, r, s);
  const auto weighted = [&](std::size_t i) {
    return a.real * static_cast<double>(real.counts[i]) + a.synthetic * static_cast<double>(synthetic.counts[i]);
  };
  out.p.assign(m, 0.0);
  out.alive.clear();
  if (add_constant_) {
    const double denom = r + s + static_cast<double>(m) * beta_;
    for (std::uint32_t i = 0; i < m; ++i) {
      out.p[i] = (weighted(i) + beta_) / denom;
      out.alive.push_back(i);
    }
    return;
  }
  // Symbols in the order merge(synthetic, real) would list them, so that the next generation's draw (which walks
  // the alive symbols in order) is the one of the unweighted fit when w = 1/2.
  for (const auto* support : {&synthetic.support, &real.support})
    for (const auto i : *support)
      if (out.p[i] == 0.0 && (out.p[i] = weighted(i) / (r + s)) > 0) out.alive.push_back(i);
}

void CategoricalFamily::metrics(const Model& m, std::span<double> out, const MetricMask& wanted) const {
  constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
  double abs_diff = 0, truth_mass_alive = 0, entropy = 0;
  std::size_t truth_alive = 0;
  if (wanted(kEntropy)) {
    for (const auto i : m.alive) entropy -= m.p[i] * std::log(m.p[i]);
  } else {
    entropy = kNan;
  }
  if (wanted(kTv) || wanted(kKl)) {
    for (const auto i : m.alive) {
      const double p = m.p[i], q = truth_.p[i];
      abs_diff += std::abs(p - q);
      truth_mass_alive += q;
      truth_alive += q > 0;
    }
  }
  // KL(truth || model) is finite only while every true symbol is alive; the logs are spent only then.
  double kl = wanted(kKl) ? std::numeric_limits<double>::infinity() : kNan;
  if (wanted(kKl) && truth_alive == truth_support_) {
    kl = 0;
    for (const auto i : m.alive)
      if (truth_.p[i] > 0) kl += truth_.p[i] * std::log(truth_.p[i] / m.p[i]);
    kl = std::max(0.0, kl);
  }
  out[kSupport] = static_cast<double>(m.alive.size());
  out[kTv] = wanted(kTv) ? 0.5 * (abs_diff + std::max(0.0, 1.0 - truth_mass_alive)) : kNan;
  out[kKl] = kl;
  out[kEntropy] = entropy;
}

std::optional<std::int64_t> CategoricalFamily::real_sample_size() const {
  if (!truth_description_.contains("total_count")) return std::nullopt;
  // A counts file may hold fractional or huge counts: as a sample size its total must be a whole number that
  // counts exactly (not 4.75 read as 4, nor 1e300 wrapped).
  const double total = truth_description_["total_count"].get<double>();
  if (!(total >= 1) || total > 9007199254740992.0 || total != std::floor(total))
    throw UserError(fmt::format("experiment.samples = \"real\": the truth's total count is {}, not a whole number of "
                                "samples between 1 and 2^53; give n as an integer",
                                total));
  return static_cast<std::int64_t>(total);
}

std::optional<TheoryValue> CategoricalFamily::theory(const TheoryQuery& q) const {
  if (q.threshold || add_constant_ || q.metric != "support" || q.regime.kind != RegimeKind::kReplace ||
      !q.samples.constant())
    return std::nullopt;
  const auto b = theory::discrete_alive(truth_runs_, q.samples.at(1), q.generation);
  TheoryValue v;
  v.lo = b.lo;
  v.hi = b.hi;
  v.kind = TheoryKind::kBound;
  v.source = "Suresh et al. 2025, Corollary 1 (bounds on E[#symbols alive])";
  return v;
}

nlohmann::json CategoricalFamily::describe() const {
  nlohmann::json d{{"truth", truth_description_},
                   {"truth_support", truth_support_},
                   {"estimator", add_constant_ ? "add_constant" : "mle"},
                   {"convention", add_constant_ ? "p_i = (N_i + beta) / (n + m beta)" : "p_i = N_i / n"}};
  if (add_constant_) d["beta"] = beta_;
  return d;
}

void CategoricalFamily::forgotten(const Model& before, const Model& after, std::vector<std::uint32_t>& out) const {
  for (const auto i : before.alive)
    if (after.p[i] == 0.0) out.push_back(i);
}

void CategoricalFamily::item_counts(std::span<const Sample> xs, std::vector<double>& counts) const {
  counts.assign(items(), 0.0);
  for (const auto x : xs) counts[x] += 1.0;
}

void CategoricalFamily::item_counts_stats(const Stats& s, std::vector<double>& counts) const {
  counts.assign(items(), 0.0);
  for (const auto i : s.support) counts[i] = static_cast<double>(s.counts[i]);
}

OUROBOROS_REGISTER_FAMILY(CategoricalFamily);

}  // namespace ouro
