#pragma once
// RateFamily<Traits>: the family class for a one-parameter model whose sufficient statistic is T = sum t(x)
// with t(X) ~ Exponential(theta) (see rate_mle.hpp). Traits supply the name, the parameter's name and
// default, the sample for a given Exponential(theta) variate t (in whatever representation the family keeps,
// e.g. log x), and t of a sample. Used by `exponential` and `power`.
//
// Metrics: <parameter> (the fitted theta_k), error |theta_k - theta_0|, sq_error (theta_k - theta_0)^2,
// converged (1 when the estimator converged; always 1 for the closed form), log_ratio log(theta_k / theta_0).
// Theory [derived, exact, any schedule]: one generation multiplies theta by a factor X_k independent of the
// past (theory/barzilai_shamir2025.hpp, rate_factor): X_k = n_k/G_k under replace, k n_k/G under grow (G a
// Gamma(k n_k, 1)), N_k/(N_{k-1} + G_k) under accumulate (N_k = n_1 + ... + n_k, the pooled statistic:
// 1/theta_k = (1/theta_{k-1})(N_{k-1} + G_k)/N_k). So theta_k = theta_0 prod_j X_j and E[theta_k], E[(theta_k
// - theta_0)^2] = theta_0^2 (prod E[X_j^2] - 2 prod E[X_j] + 1) and E[log(theta_k/theta_0)] = sum E[log X_j]
// are exact in these three regimes. E[X_j^2] exists for n_j > 2 under replace (and at generation 1). sq_error
// is heavy-tailed (theta_k is a product of inverse-gamma factors, and E[X^2] = n^2/((n-1)(n-2)) is carried by
// small G): at small n or late generations its sample mean rests on rare replicates, while log_ratio (a sum
// of log-gamma terms) is well resolved.
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <vector>

#include "ouroboros/engine/family.hpp"
#include "ouroboros/core/rng.hpp"
#include "ouroboros/core/samplers.hpp"
#include "ouroboros/families/common/rate_mle.hpp"
#include "ouroboros/theory/barzilai_shamir2025.hpp"
#include "ouroboros/theory/schedule_table.hpp"

namespace ouro {

template <class Traits>
class RateFamily {
 public:
  enum Metric { kTheta, kError, kSqError, kConverged, kLogRatio };
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
    static constexpr MetricDecl<Metric> kList[]{
        {kTheta, Traits::kParameter, "fitted parameter theta_k"},
        {kError, "error", "|theta_k - theta_0|"},
        {kSqError, "sq_error",
         "(theta_k - theta_0)^2; heavy-tailed (theta_k is theta_0 times a product of inverse-gamma "
         "factors): at small n or late generations its mean rests on rare replicates, see log_ratio"},
        {kConverged, "converged", "1 if the estimator converged (always for mle), else 0", true},
        {kLogRatio, "log_ratio",
         "log(theta_k / theta_0): a sum of independent log-gamma terms, well resolved where sq_error "
         "is not"},
    };
    static_assert(metrics_in_order(kList));
    d.metrics = metric_infos(kList);
    d.kernels = fmt::format("statistics: T = sum {} by one gamma draw, Gamma(n)/theta; "
                            "accumulate_subsample uses the sample kernel", Traits::kStatistic);
    return d;
  }

  RateFamily(const Spec& truth, const Spec& model) {
    SpecReader t(truth, fmt::format("truth.family: {}", Traits::kName), truth_params());
    truth_.theta = t.number(Traits::kParameter);
    t.finish();
    SpecReader m(model, fmt::format("model.family: {}", Traits::kName), model_params());
    optimized_ = m.word("estimator") == "optimized";
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
    out[kTheta] = m.theta;
    out[kError] = std::abs(d);
    out[kSqError] = d * d;
    out[kConverged] = m.converged ? 1.0 : 0.0;
    out[kLogRatio] = std::log(m.theta / truth_.theta);
  }

  std::optional<TheoryValue> theory(const TheoryQuery& q) const {
    const std::int64_t k = q.generation;
    if (q.threshold || k < 1 || k > q.samples.generations()) return std::nullopt;
    const bool parameter = q.metric == Traits::kParameter, sq = q.metric == "sq_error",
               log = q.metric == "log_ratio";
    if (!parameter && !sq && !log) return std::nullopt;
    const RegimeKind kind = q.regime.kind;
    if (kind != RegimeKind::kReplace && kind != RegimeKind::kGrow && kind != RegimeKind::kAccumulate)
      return std::nullopt;
    const Row row = kind == RegimeKind::kReplace && q.samples.constant()
                        ? constant_replace(q.samples.at(1), k)
                        : table_.at(q.regime, q.samples, k, Row{}, [&](const Row& r, std::int64_t j) {
                            return step(r, kind, q.samples, j);
                          });
    const double t0 = truth_.theta;
    TheoryValue v;
    v.kind = TheoryKind::kExact;
    const int regime = kind == RegimeKind::kReplace ? 0 : kind == RegimeKind::kGrow ? 1 : 2;
    if (parameter) {
      v.mid = t0 * std::exp(row.log_mean);
      v.source = kMeanSource[regime];
    } else if (sq) {
      v.mid = t0 * t0 * (std::expm1(row.log_second) - 2 * std::expm1(row.log_mean));
      v.source = kSqSource[regime];
    } else {
      v.mid = row.mean_log;
      v.source = kLogSource[regime];
    }
    if (!std::isfinite(v.mid)) return std::nullopt;  // a moment that does not exist (n_j <= 2 under replace)
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
    return {param::positive(Traits::kParameter, fmt::format("{}", Traits::kDefault), Traits::kParameterHelp)};
  }
  static std::vector<ParamInfo> model_params() {
    return {param::word("estimator", {"mle", "optimized"}, "mle",
                        "mle (closed form) or optimized (numerical maximisation of the likelihood)")};
  }

  // Sums over generations j <= k of log E[X_j], log E[X_j^2] and E[log X_j]; pool = N_k (accumulate).
  struct Row {
    double log_mean = 0, log_second = 0, mean_log = 0;
    std::int64_t pool = 0;
  };
  static Row add(Row r, const theory::RateFactor& f) {
    r.log_mean += std::log1p(f.mean_minus_one);
    r.log_second += std::log1p(f.second_minus_one);
    r.mean_log += f.mean_log;
    return r;
  }
  static Row step(const Row& previous, RegimeKind kind, const SampleSchedule& samples, std::int64_t j) {
    const std::int64_t n = samples.at(j);
    if (kind == RegimeKind::kAccumulate) {
      Row r = add(previous, theory::rate_factor(static_cast<double>(previous.pool), static_cast<double>(n)));
      r.pool = previous.pool + n;
      return r;
    }
    const std::int64_t m = kind == RegimeKind::kGrow ? j * n : n;
    return add(previous, theory::rate_factor(0.0, static_cast<double>(m)));
  }
  static Row constant_replace(std::int64_t n, std::int64_t k) {
    const theory::RateFactor f = theory::rate_factor(0.0, static_cast<double>(n));
    const double kd = static_cast<double>(k);
    return {kd * std::log1p(f.mean_minus_one), kd * std::log1p(f.second_minus_one), kd * f.mean_log, 0};
  }

  static constexpr const char* kMeanSource[] = {
      "E[theta_k] = theta_0 prod_j n_j/(n_j-1): theta_j = theta_{j-1} n_j/Gamma(n_j) (derived)",
      "E[theta_k] = theta_0 prod_j m_j/(m_j-1), m_j = j n_j: grow is replace on j n_j samples (derived)",
      ("E[theta_k] = theta_0 prod_j E[N_j/(N_{j-1} + Gamma(n_j))], N_j = n_1+...+n_j, by quadrature "
       "(derived)")};
  static constexpr const char* kSqSource[] = {
      "theta_0^2 (prod_j E[X_j^2] - 2 prod_j E[X_j] + 1), X_j = n_j/Gamma(n_j) (derived)",
      "theta_0^2 (prod_j E[X_j^2] - 2 prod_j E[X_j] + 1), X_j = j n_j/Gamma(j n_j) (derived)",
      ("theta_0^2 (prod_j E[X_j^2] - 2 prod_j E[X_j] + 1), X_j = N_j/(N_{j-1} + Gamma(n_j)), by quadrature "
       "(derived)")};
  static constexpr const char* kLogSource[] = {
      "E[log(theta_k/theta_0)] = sum_j (log n_j - psi(n_j)) (derived)",
      "E[log(theta_k/theta_0)] = sum_j (log m_j - psi(m_j)), m_j = j n_j (derived)",
      "E[log(theta_k/theta_0)] = sum_j E[log(N_j/(N_{j-1} + Gamma(n_j)))], by quadrature (derived)"};

  Model truth_;
  bool optimized_ = false;
  theory::ScheduleTable<Row> table_;
};

}  // namespace ouro
