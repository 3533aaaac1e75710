// GaussianFamily::mixing_theory: E[(M_k - mu_0)^2] with known variance under the regimes that mix the
// previous model with real data (theory/mixing.hpp), for any per-generation schedule.
#include <cmath>
#include <vector>

#include "ouroboros/families/gaussian/gaussian.hpp"
#include "ouroboros/theory/mixing.hpp"

namespace ouro {

std::optional<TheoryValue> GaussianFamily::mixing_theory(const TheoryQuery& q) const {
  const RegimeKind kind = q.regime.kind;
  const bool mixing = kind == RegimeKind::kFreshMix || kind == RegimeKind::kFreshMixWeighted ||
                      kind == RegimeKind::kAugment || kind == RegimeKind::kKeepReal ||
                      kind == RegimeKind::kAccumulateRatio || kind == RegimeKind::kGrow;
  if (q.threshold || known_ != Known::kVariance || q.metric != "mean_sq_error" || !mixing || q.generation < 1)
    return std::nullopt;
  const double v0 = truth_.sd * truth_.sd, n1 = static_cast<double>(q.samples.at(1));
  std::vector<theory::MeanMixStep> steps;
  double pool = n1;  // accumulate(ratio): samples in the pool
  for (std::int64_t k = 2; k <= q.generation; ++k) {
    const double n = static_cast<double>(q.samples.at(k));
    const auto share = [&](double x) { return static_cast<double>(std::llround(x * n)); };
    theory::MeanMixStep s;
    switch (kind) {
      case RegimeKind::kFreshMix:
      case RegimeKind::kFreshMixWeighted: {
        const double r = share(q.regime.real_fraction), syn = n - r;
        const double alpha = q.regime.weighted() && r > 0 && syn > 0
                                 ? sample_weights(q.regime.real_weight, r, syn).real * r / n
                                 : r / n;
        s.c_prev = 1 - alpha;
        s.noise = (r > 0 ? alpha * alpha * v0 / r : 0) + (syn > 0 ? s.c_prev * s.c_prev * v0 / syn : 0);
        break;
      }
      case RegimeKind::kAugment: {
        const double m = share(q.regime.ratio), beta = n1 / (n1 + m);
        s.c_prev = 1 - beta;
        s.c_real = beta;
        s.noise = m > 0 ? s.c_prev * s.c_prev * v0 / m : 0;
        break;
      }
      case RegimeKind::kKeepReal: {
        // The kept subset's mean is E plus a part uncorrelated with the past, of variance sigma^2 (1/r -
        // 1/n_1).
        const double r = share(q.regime.real_fraction), syn = n - r, gamma = r / n;
        s.c_prev = 1 - gamma;
        s.c_real = gamma;
        s.noise = (r > 0 ? gamma * gamma * v0 * (1 / r - 1 / n1) : 0) +
                  (syn > 0 ? s.c_prev * s.c_prev * v0 / syn : 0);
        break;
      }
      case RegimeKind::kAccumulateRatio: {
        const double m = share(q.regime.ratio);
        pool += m;
        s.noise = m * v0 / (pool * pool);
        break;
      }
      default:  // grow: k n samples from the previous model
        s.noise = v0 / (static_cast<double>(k) * n);
        break;
    }
    steps.push_back(s);
  }
  TheoryValue v;
  v.mid = theory::mixed_mean_mse(v0, n1, steps);
  v.kind = TheoryKind::kExact;
  v.source =
      "E[(M_k - mu_0)^2] with known variance: linear recursion of the mean over the regime's mix (derived; "
      "He, Xu, Cheng 2025 for the weighted fresh mix)";
  return v;
}

}  // namespace ouro
