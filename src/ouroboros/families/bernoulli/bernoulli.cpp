#include "ouroboros/families/bernoulli/bernoulli.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "ouroboros/core/samplers.hpp"
#include "ouroboros/engine/simulator_for.hpp"
#include "ouroboros/theory/suresh2025.hpp"

namespace ouro {

namespace {
const std::vector<ParamInfo> kTruthParams{param::probability("p", "0.5", "probability of a one")};
const std::vector<ParamInfo> kModelParams{param::word("estimator", {"mle"}, "mle", "mle (fraction of ones)")};
enum Metric { kP, kAlive, kInterior, kPq };
}  // namespace

FamilyDescriptor BernoulliFamily::descriptor() {
  FamilyDescriptor d;
  d.name = "bernoulli";
  d.summary = "coin with P(X = 1) = p";
  d.truth_params = kTruthParams;
  d.model_params = kModelParams;
  d.estimators = {"mle"};
  static constexpr MetricDecl<Metric> kList[]{
      {kP, "p", "fitted probability P_k"},
      {kAlive, "alive", "1 if P_k != 0, else 0 (its mean is Pr(P_k != 0))", true},
      {kInterior, "interior", "1 if P_k is not 0 or 1, else 0", true},
      {kPq, "pq", "P_k (1 - P_k)"},
  };
  static_assert(metrics_in_order(kList));
  d.metrics = metric_infos(kList);
  d.kernels = "statistics: number of ones by a binomial; accumulate_subsample by a hypergeometric";
  return d;
}

BernoulliFamily::BernoulliFamily(const Spec& truth, const Spec& model) {
  SpecReader t(truth, "truth.family: bernoulli", kTruthParams);
  truth_.p = t.number("p");
  t.finish();
  SpecReader m(model, "model.family: bernoulli", kModelParams);
  m.word("estimator");
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

namespace {

// {draws from model j-1, draws from the truth} at generation j, and the training set's size.
std::pair<std::int64_t, std::int64_t> batch(const Regime& regime, const SampleSchedule& samples,
                                            std::int64_t j) {
  const std::int64_t n = samples.at(j);
  if (j == 1) return {n, 0};
  switch (regime.kind) {
    case RegimeKind::kGrow:
      return {j * n, 0};
    case RegimeKind::kFreshMix: {
      const auto real =
          static_cast<std::int64_t>(std::llround(regime.real_fraction * static_cast<double>(n)));
      return {n - real, real};
    }
    default:
      return {n, 0};
  }
}

}  // namespace

// [derived] E[P_k(1 - P_k)], with P_k a fraction of m_k Bernoulli draws: E[P Q | past] = (1 - 1/m)
// P_{k-1}Q_{k-1} (replace; grow with m = k n_k). Accumulate: P_k = P_{k-1} + (B - n_k P_{k-1})/N_k, B ~
// Bin(n_k, P_{k-1}), so E[P_k Q_k] = (1 - n_k/N_k^2) E[P_{k-1} Q_{k-1}]. fresh_mix with s synthetic and r
// real draws (s + r = n): E[P_k Q_k] = (s(s-1) E[P_{k-1} Q_{k-1}] + r(2s + r - 1) p0 q0)/n^2, from E[P_k] =
// p0 and the binomial variances of both parts.
BernoulliFamily::Row BernoulliFamily::step(const Row& previous, const Regime& regime,
                                           const SampleSchedule& samples, std::int64_t j) const {
  const std::int64_t n = samples.at(j);
  Row r = previous;
  if (regime.kind == RegimeKind::kAccumulate) {
    r.pool += n;
    const double pool = static_cast<double>(r.pool);
    r.pq *= 1 - static_cast<double>(n) / (pool * pool);
    return r;
  }
  const auto [syn, real] = batch(regime, samples, j);
  const double s = static_cast<double>(syn), re = static_cast<double>(real), m = s + re;
  r.pq = (s * (s - 1) * previous.pq + re * (2 * s + re - 1) * truth_.p * (1 - truth_.p)) / (m * m);
  return r;
}

std::optional<TheoryValue> BernoulliFamily::theory(const TheoryQuery& q) const {
  const std::int64_t k = q.generation;
  if (q.threshold || k < 1 || k > q.samples.generations()) return std::nullopt;
  TheoryValue v;
  const double p0 = truth_.p, q0 = 1 - p0;
  if (q.metric == "p") {
    // Every sample's expectation is p0 by induction, whatever the regime: P_k is a martingale in mean.
    v.mid = p0;
    v.kind = TheoryKind::kExact;
    v.source = "E[P_k] = p0 in every regime (derived)";
    return v;
  }
  const RegimeKind kind = q.regime.kind;
  if (kind == RegimeKind::kReplace && q.samples.constant()) {
    const std::int64_t n = q.samples.at(1);
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
  if (kind == RegimeKind::kAccumulate && (q.metric == "alive" || q.metric == "interior")) {
    // The pool keeps every one (zero) it ever held, and a model with none draws none: P_k is 0 (1) exactly
    // when generation 1's real batch was all zeros (ones).
    const double n1 = static_cast<double>(q.samples.at(1));
    const double none = std::pow(q0, n1), all = std::pow(p0, n1);
    v.mid = q.metric == "alive" ? 1 - none : 1 - none - all;
    v.kind = TheoryKind::kExact;
    v.source = q.metric == "alive"
                   ? "Pr(P_k != 0) = 1 - (1-p0)^{n_1} under accumulate: 0 is absorbing (derived)"
                   : "Pr(P_k in (0,1)) = 1 - p0^{n_1} - (1-p0)^{n_1} under accumulate (derived)";
    return v;
  }
  if (kind != RegimeKind::kReplace && kind != RegimeKind::kGrow && kind != RegimeKind::kAccumulate &&
      kind != RegimeKind::kFreshMix)
    return std::nullopt;
  Row first;
  first.pq = p0 * q0;
  const double pq = table_
                        .at(q.regime, q.samples, k, first,
                            [&](const Row& r, std::int64_t j) { return step(r, q.regime, q.samples, j); })
                        .pq;
  if (q.metric == "pq") {
    v.mid = pq;
    v.kind = TheoryKind::kExact;
    v.source =
        kind == RegimeKind::kAccumulate
            ? "E[P_k(1-P_k)] = p0(1-p0) prod_j (1 - n_j/N_j^2), N_j = n_1+...+n_j (derived)"
        : kind == RegimeKind::kFreshMix
            ? "E[P_k Q_k] = (s_k(s_k-1) E[P_{k-1} Q_{k-1}] + r_k(2 s_k + r_k - 1) p0 q0)/n_k^2 (derived)"
            : "E[P_k(1-P_k)] = p0(1-p0) prod_j (1 - 1/m_j), m_j = n_j (replace) or j n_j (grow) (Seddik et "
              "al. 2024 with per-generation sizes)";
    return v;
  }
  // Replace with a per-generation schedule, grow, fresh_mix: Theorem 1's lower bound through zero_exponent
  // (its upper bound needs a constant n); Pr(interior) >= 4 E[P Q] (P Q <= 1/4), and off {0, 1} a fraction of
  // m draws has P Q >= (m - 1)/m^2.
  if ((q.metric != "alive" && q.metric != "interior") || k > theory::kZeroExponentMaxGeneration)
    return std::nullopt;
  const double a = theory::zero_exponent(k, [&](std::int64_t j) { return batch(q.regime, q.samples, j); });
  v.kind = TheoryKind::kBound;
  if (q.metric == "alive") {
    v.lo = -std::expm1(-p0 * a);
    v.source =
        "lower bound: Suresh et al. 2025 Theorem 1's 1 - exp(-p0 A_k), A_k by the recursion with "
        "per-generation sizes (derived)";
    return v;
  }
  const auto [syn, real] = batch(q.regime, q.samples, k);
  const double m = static_cast<double>(syn + real);
  v.lo = std::clamp(std::max(4 * pq, 1 - std::exp(-p0 * a) - std::exp(-q0 * a)), 0.0, 1.0);
  v.hi = m > 1 ? std::min(1.0, pq * m * m / (m - 1)) : 0.0;
  v.source =
      "lower: max of 4 E[P_k Q_k] (Seddik et al. 2024) and Theorem 1 two-sided with per-generation sizes; "
      "upper: E[P_k Q_k] m_k^2/(m_k - 1) (derived)";
  return v;
}

nlohmann::json BernoulliFamily::describe() const {
  return {{"truth", {{"p", truth_.p}}}, {"estimator", "mle"}, {"convention", "P = ones / n"}};
}

OUROBOROS_REGISTER_FAMILY(BernoulliFamily);

}  // namespace ouro
