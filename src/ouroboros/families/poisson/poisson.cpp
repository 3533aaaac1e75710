#include "ouroboros/families/poisson/poisson.hpp"

#include <fmt/format.h>

#include <cmath>
#include <numeric>
#include <utility>

#include "ouroboros/core/samplers.hpp"
#include "ouroboros/engine/simulator_for.hpp"
#include "ouroboros/theory/suresh2025.hpp"

namespace ouro {

namespace {
const std::vector<ParamInfo> kTruthParams{param::number("lambda", "1", "mean of the true distribution").at_least(0)};
const std::vector<ParamInfo> kModelParams{param::word("estimator", {"mle"}, "mle", "mle (sample mean)")};
enum Metric { kLambda, kAlive };
}  // namespace

FamilyDescriptor PoissonFamily::descriptor() {
  FamilyDescriptor d;
  d.name = "poisson";
  d.summary = "counts with a Poisson(lambda) law";
  d.truth_params = kTruthParams;
  d.model_params = kModelParams;
  d.estimators = {"mle"};
  static constexpr MetricDecl<Metric> kList[]{
      {kLambda, "lambda", "fitted mean L_k"},
      {kAlive, "alive", "1 if L_k != 0, else 0 (its mean is Pr(L_k != 0))", true},
  };
  static_assert(metrics_in_order(kList));
  d.metrics = metric_infos(kList);
  d.kernels = "statistics: the sum of a batch by one Poisson(n L) draw; accumulate_subsample uses the sample kernel";
  return d;
}

PoissonFamily::PoissonFamily(const Spec& truth, const Spec& model) {
  SpecReader t(truth, "truth.family: poisson", kTruthParams);
  truth_.lambda = t.number("lambda");
  t.finish();
  SpecReader m(model, "model.family: poisson", kModelParams);
  m.word("estimator");
  m.finish();
}

void PoissonFamily::sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const {
  for (std::int64_t i = 0; i < n; ++i) out.push_back(draw_poisson(rng, m.lambda));
}

void PoissonFamily::stats_of(std::span<const Sample> xs, Stats& out) const {
  out = Stats{static_cast<std::int64_t>(xs.size()), std::accumulate(xs.begin(), xs.end(), std::int64_t{0})};
}

void PoissonFamily::fit_samples(std::span<const Sample> xs, Model& out) const {
  Stats s;
  stats_of(xs, s);
  fit_stats(s, out);
}

void PoissonFamily::draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const {
  out = Stats{n, draw_poisson(rng, static_cast<double>(n) * m.lambda)};
}

void PoissonFamily::merge(Stats& into, const Stats& from) const {
  into.n += from.n;
  // validate() keeps the expected pooled sum below 2^53; a chain whose L_k grew 1000-fold past lambda0 could still
  // overflow 64 bits, and that is refused rather than wrapped.
  if (__builtin_add_overflow(into.sum, from.sum, &into.sum))
    throw UserError("poisson: a pooled sum of counts overflowed 64 bits (a chain's L_k grew far past lambda); lower "
                    "truth lambda or experiment.samples");
}

void PoissonFamily::validate(const Regime& regime, const SampleSchedule& samples) const {
  const long double expected = max_held_samples(regime, samples) * static_cast<long double>(truth_.lambda);
  if (expected > 9007199254740992.0L)
    throw UserError(fmt::format("truth.family: poisson: lambda = {} with up to {:.4g} samples held under {} gives "
                                "sums of counts near {:.4g}, more than 2^53 (counted exactly); lower lambda or "
                                "experiment.samples",
                                truth_.lambda, static_cast<double>(max_held_samples(regime, samples)), regime.name(),
                                static_cast<double>(expected)));
}

void PoissonFamily::fit_stats(const Stats& s, Model& out) const {
  out.lambda = static_cast<double>(s.sum) / static_cast<double>(s.n);
}

void PoissonFamily::fit_weighted(const Stats& real, const Stats& synthetic, double real_weight, Model& out) const {
  const double r = static_cast<double>(real.n), s = static_cast<double>(synthetic.n);
  const auto a = sample_weights(real_weight, r, s);
  out.lambda = (a.real * static_cast<double>(real.sum) + a.synthetic * static_cast<double>(synthetic.sum)) / (r + s);
}

void PoissonFamily::metrics(const Model& m, std::span<double> out) const {
  out[kLambda] = m.lambda;
  out[kAlive] = m.lambda != 0.0;
}

std::optional<TheoryValue> PoissonFamily::theory(const TheoryQuery& q) const {
  const std::int64_t k = q.generation;
  if (q.threshold || k < 1 || k > q.samples.generations()) return std::nullopt;
  TheoryValue v;
  v.kind = TheoryKind::kExact;
  if (q.metric == "lambda") {
    v.mid = truth_.lambda;
    v.source = "E[L_k] = lambda0 in every regime (derived)";
    return v;
  }
  if (q.metric != "alive") return std::nullopt;
  const RegimeKind kind = q.regime.kind;
  if (kind == RegimeKind::kReplace && q.samples.constant()) {
    v.mid = theory::poisson_nonzero(truth_.lambda, q.samples.at(1), k);
    v.source = "Suresh et al. 2025, Theorem 2 (exact)";
    return v;
  }
  if (kind == RegimeKind::kAccumulate) {
    // A pool with a non-zero count keeps it, and a model with L = 0 draws only zeros.
    v.mid = -std::expm1(-static_cast<double>(q.samples.at(1)) * truth_.lambda);
    v.source = "Pr(L_k != 0) = 1 - exp(-n_1 lambda0) under accumulate: 0 is absorbing (derived)";
    return v;
  }
  if ((kind != RegimeKind::kReplace && kind != RegimeKind::kGrow && kind != RegimeKind::kFreshMix) ||
      k > theory::kZeroExponentMaxGeneration)
    return std::nullopt;
  const double a = theory::zero_exponent(k, [&](std::int64_t j) -> std::pair<std::int64_t, std::int64_t> {
    const std::int64_t n = q.samples.at(j);
    if (j == 1 || kind == RegimeKind::kReplace) return {n, 0};
    if (kind == RegimeKind::kGrow) return {j * n, 0};
    const auto real =
        static_cast<std::int64_t>(std::llround(q.regime.real_fraction * static_cast<double>(n)));
    return {n - real, real};
  });
  v.mid = -std::expm1(-truth_.lambda * a);
  v.source =
      "Pr(L_k != 0) = 1 - exp(-lambda0 A_k), Suresh et al. 2025 Theorem 2's recursion with per-generation "
      "sizes (derived)";
  return v;
}

nlohmann::json PoissonFamily::describe() const {
  return {{"truth", {{"lambda", truth_.lambda}}}, {"estimator", "mle"}, {"convention", "L = sum / n"}};
}

OUROBOROS_REGISTER_FAMILY(PoissonFamily);

}  // namespace ouro
