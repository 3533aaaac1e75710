#pragma once
// RateFamily<Traits>: the family class for a one-parameter model whose sufficient statistic is T = sum t(x)
// with t(X) ~ Exponential(theta) (see rate_mle.hpp). Traits supply the name, the parameter's name and
// default, the sample for a given Exponential(theta) variate t (in whatever representation the family keeps,
// e.g. log x), and t of a sample. Used by `exponential` and `power`.
//
// Metrics: <parameter> (the fitted theta_k), error |theta_k - theta_0|, sq_error (theta_k - theta_0)^2,
// converged (1 when the estimator converged; always 1 for the closed form).
// Theory [derived, constant n > 2]: E[theta_k] and E[sq_error] exactly under replace, and at generation 1 (a
// fit on n real samples) in every regime.
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <vector>

#include "ouroboros/core/family.hpp"
#include "ouroboros/core/rng.hpp"
#include "ouroboros/core/samplers.hpp"
#include "ouroboros/families/common/rate_mle.hpp"
#include "ouroboros/theory/barzilai_shamir2025.hpp"

namespace ouro {

template <class Traits>
class RateFamily {
 public:
  struct Model {
    double theta = 1;
    bool converged = true;
  };
  using Sample = double;
  using Stats = RateStats;

  static FamilyDescriptor descriptor() {
    FamilyDescriptor d;
    d.name = Traits::kName;
    d.summary = Traits::kSummary;
    d.truth_params = truth_params();
    d.model_params = model_params();
    d.estimators = {"mle", "optimized"};
    d.metrics = {
        {Traits::kParameter, "fitted parameter theta_k"},
        {"error", "|theta_k - theta_0|"},
        {"sq_error", "(theta_k - theta_0)^2"},
        {"converged", "1 if the estimator converged (always for mle), else 0", true},
    };
    d.kernels = fmt::format("statistics: T = sum {} by one gamma draw, Gamma(n)/theta; "
                            "accumulate_subsample uses the sample kernel", Traits::kStatistic);
    return d;
  }

  RateFamily(const Spec& truth, const Spec& model) {
    SpecReader t(truth, fmt::format("truth.family: {}", Traits::kName), truth_params());
    truth_.theta = t.positive(Traits::kParameter, Traits::kDefault);
    t.finish();
    SpecReader m(model, fmt::format("model.family: {}", Traits::kName), model_params());
    optimized_ = m.word("estimator", {"mle", "optimized"}, "mle") == "optimized";
    m.finish();
  }

  const Model& truth() const { return truth_; }

  void sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const {
    for (std::int64_t i = 0; i < n; ++i)
      out.push_back(Traits::from_exponential(-std::log(rng.uniform()) / m.theta));  // an Exponential(theta)
  }
  void stats_of(std::span<const Sample> xs, Stats& out) const {
    out = Stats{};
    out.n = static_cast<std::int64_t>(xs.size());
    for (const double x : xs) out.t_sum += Traits::statistic(x);
  }
  void fit_samples(std::span<const Sample> xs, Model& out) const {
    Stats s;
    stats_of(xs, s);
    fit_stats(s, out);
  }
  void draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const { draw_rate_stats(m.theta, n, rng, out); }
  void merge(Stats& into, const Stats& from) const {
    into.n += from.n;
    into.t_sum += from.t_sum;
  }
  void fit_stats(const Stats& s, Model& out) const {
    const RateFit fit = optimized_ ? rate_mle_optimized(s) : rate_mle(s);
    out.theta = fit.theta;
    out.converged = fit.converged;
  }
  void metrics(const Model& m, std::span<double> out) const {
    const double d = m.theta - truth_.theta;
    out[0] = m.theta;
    out[1] = std::abs(d);
    out[2] = d * d;
    out[3] = m.converged ? 1.0 : 0.0;
  }

  std::optional<TheoryValue> theory(const TheoryQuery& q) const {
    if (q.threshold || !q.samples.constant() || q.samples.at(1) <= 2) return std::nullopt;
    const std::int64_t n = q.samples.at(1), k = q.generation;
    TheoryValue v;
    if (q.regime.kind == RegimeKind::kAccumulate && k > 1) {
      // [derived, first order in 1/n] With u = 1/theta, the pooled statistic's mean u_k = (1/k) sum_{t<=k}
      // (u_{t-1} + e_t), Var(e_t) = u^2/n: the recursion of the accumulated Gaussian mean. So Var(u_k) =
      // (u0^2/n) sum 1/t^2 and, by the delta method, E[(theta_k - theta_0)^2] = (theta_0^2/n) sum_{t<=k}
      // 1/t^2 + O(1/n^2): below (pi^2/6) times round 1, as Barzilai & Shamir's Theorem 4.1 states.
      if (q.metric != "sq_error") return std::nullopt;
      v.mid = theory::accumulated_mean_variance(truth_.theta * truth_.theta, n, k);
      v.kind = TheoryKind::kApproximation;
      v.source = "(theta_0^2/n) sum_{t<=k} 1/t^2, first order in 1/n (Barzilai & Shamir 2025, Thm 4.1)";
      return v;
    }
    const bool exact_here = q.regime.kind == RegimeKind::kReplace || q.generation == 1;
    if (!exact_here) return std::nullopt;
    if (q.metric == Traits::kParameter) {
      v.mid = rate_replace_mean(truth_.theta, n, k);
      v.kind = TheoryKind::kExact;
      v.source = "E[theta_k] = theta_0 (n/(n-1))^k under replace (derived)";
    } else if (q.metric == "sq_error") {
      v.mid = rate_replace_sq_error(truth_.theta, n, k);
      v.kind = TheoryKind::kExact;
      v.source = "E[(theta_k - theta_0)^2] under replace, from the gamma moments of 1/T (derived)";
    } else {
      return std::nullopt;
    }
    return v;
  }

  nlohmann::json describe() const {
    return {{"truth", {{Traits::kParameter, truth_.theta}}},
            {"estimator", optimized_ ? "optimized" : "mle"},
            {"convention", optimized_ ? "Brent's method on the negative log-likelihood in log theta, "
                                        "|log theta| <= 40, 52 bits, at most 200 iterations"
                                      : "closed form theta = n / T"}};
  }

 private:
  static std::vector<ParamInfo> truth_params() {
    return {{Traits::kParameter, fmt::format("{}", Traits::kDefault), Traits::kParameterHelp}};
  }
  static std::vector<ParamInfo> model_params() {
    return {{"estimator", "mle", "mle (closed form) or optimized (numerical maximisation of the likelihood)"}};
  }

  Model truth_;
  bool optimized_ = false;
};

}  // namespace ouro
