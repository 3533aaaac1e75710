#include "ouroboros/families/bernoulli/bernoulli.hpp"

#include <algorithm>

#include "ouroboros/core/samplers.hpp"
#include "ouroboros/core/simulator_for.hpp"
#include "ouroboros/theory/suresh2025.hpp"

namespace ouro {

namespace {
const std::vector<ParamInfo> kTruthParams{{"p", "0.5", "probability of a one, in [0, 1]"}};
const std::vector<ParamInfo> kModelParams{{"estimator", "mle", "mle (fraction of ones)"}};
enum Metric { kP, kAlive, kInterior, kPq };
}  // namespace

FamilyDescriptor BernoulliFamily::descriptor() {
  FamilyDescriptor d;
  d.name = "bernoulli";
  d.summary = "coin with P(X = 1) = p";
  d.truth_params = kTruthParams;
  d.model_params = kModelParams;
  d.estimators = {"mle"};
  d.metrics = {
      {"p", "fitted probability P_k"},
      {"alive", "1 if P_k != 0, else 0 (its mean is Pr(P_k != 0))", true},
      {"interior", "1 if P_k is not 0 or 1, else 0", true},
      {"pq", "P_k (1 - P_k)"},
  };
  d.kernels = "statistics: number of ones by a binomial; accumulate_subsample by a hypergeometric";
  return d;
}

BernoulliFamily::BernoulliFamily(const Spec& truth, const Spec& model) {
  SpecReader t(truth, "truth.family: bernoulli", kTruthParams);
  truth_.p = t.probability("p", 0.5);
  t.finish();
  SpecReader m(model, "model.family: bernoulli", kModelParams);
  m.word("estimator", {"mle"}, "mle");
  m.finish();
}

void BernoulliFamily::sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const {
  for (std::int64_t i = 0; i < n; ++i) out.push_back(rng.uniform() < m.p ? 1 : 0);
}

void BernoulliFamily::stats_of(std::span<const Sample> xs, Stats& out) const {
  out = Stats{static_cast<std::int64_t>(xs.size()), std::count(xs.begin(), xs.end(), Sample{1})};
}

void BernoulliFamily::fit_samples(std::span<const Sample> xs, Model& out) const {
  Stats s;
  stats_of(xs, s);
  fit_stats(s, out);
}

void BernoulliFamily::draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const {
  out = Stats{n, draw_binomial(rng, n, m.p)};
}

void BernoulliFamily::merge(Stats& into, const Stats& from) const {
  into.n += from.n;
  into.ones += from.ones;
}

void BernoulliFamily::subsample_stats(const Stats& pool, std::int64_t n, Rng& rng, Stats& out) const {
  out = Stats{n, draw_hypergeometric(rng, pool.n, pool.ones, n)};
}

void BernoulliFamily::fit_stats(const Stats& s, Model& out) const {
  out.p = static_cast<double>(s.ones) / static_cast<double>(s.n);
}

void BernoulliFamily::fit_weighted(const Stats& real, const Stats& synthetic, double real_weight, Model& out) const {
  const double r = static_cast<double>(real.n), s = static_cast<double>(synthetic.n);
  const auto a = sample_weights(real_weight, r, s);
  out.p = (a.real * static_cast<double>(real.ones) + a.synthetic * static_cast<double>(synthetic.ones)) / (r + s);
}

void BernoulliFamily::metrics(const Model& m, std::span<double> out) const {
  out[kP] = m.p;
  out[kAlive] = m.p != 0.0;
  out[kInterior] = m.p != 0.0 && m.p != 1.0;
  out[kPq] = m.p * (1.0 - m.p);
}

std::optional<TheoryValue> BernoulliFamily::theory(const TheoryQuery& q) const {
  if (q.threshold) return std::nullopt;
  TheoryValue v;
  const double p0 = truth_.p;
  if (q.metric == "p") {
    // Every sample's expectation is p0 by induction, whatever the regime: P_k is a martingale in mean.
    v.mid = p0;
    v.kind = TheoryKind::kExact;
    v.source = "E[P_k] = p0 in every regime (derived)";
    return v;
  }
  if (q.regime.kind != RegimeKind::kReplace || !q.samples.constant()) return std::nullopt;
  const std::int64_t n = q.samples.at(1), k = q.generation;
  if (q.metric == "alive") {
    const auto b = theory::bernoulli_nonzero(p0, n, k);
    v.lo = b.lo;
    v.hi = b.hi;
    v.kind = TheoryKind::kBound;
    v.source = "Suresh et al. 2025, Theorem 1";
  } else if (q.metric == "interior") {
    const auto a = theory::bernoulli_interior(p0, n, k);
    const auto b = theory::seddik_interior(p0, n, k);
    v.lo = std::max(a.lo, b.lo);
    v.hi = std::min(a.hi, b.hi);
    v.kind = TheoryKind::kBound;
    v.source = "tighter of Suresh et al. 2025 Theorem 1 (two-sided) and Seddik et al. 2024";
  } else if (q.metric == "pq") {
    v.mid = theory::bernoulli_pq_mean(p0, n, k);
    v.kind = TheoryKind::kExact;
    v.source = "E[P_k(1-P_k)] = p0(1-p0)(1-1/n)^k (Seddik et al. 2024, exact)";
  } else {
    return std::nullopt;
  }
  return v;
}

nlohmann::json BernoulliFamily::describe() const {
  return {{"truth", {{"p", truth_.p}}}, {"estimator", "mle"}, {"convention", "P = ones / n"}};
}

OUROBOROS_REGISTER_FAMILY(BernoulliFamily);

}  // namespace ouro
