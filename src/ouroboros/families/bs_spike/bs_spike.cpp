#include "ouroboros/families/bs_spike/bs_spike.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include "ouroboros/engine/simulator_for.hpp"

namespace ouro {

namespace {
enum Metric { kTv, kCollapsed };
const std::vector<ParamInfo> kTruthParams{};
const std::vector<ParamInfo> kModelParams{
    param::number("width", "", "spike width f(alpha) for alpha <= 1/10").above(0).at_most(1).computed("1/39"),
    param::number("decay", "1e6", "f(alpha) = width exp(-decay (alpha - 1/10)) above 1/10").at_least(0),
};
constexpr double kInf = std::numeric_limits<double>::infinity();

// log((2 - 3a)/(1 - 2a)): the log-density gain of a sample in [0, 1 - 2a] over the base density 1/2.
double gain(double a) { return std::log((2 - 3 * a) / (1 - 2 * a)); }
// log(1 + 1/f) from log f, without overflow when f underflows.
double spike_gain(double log_f) { return log_f < -40 ? -log_f : std::log1p(std::exp(-log_f)); }
}  // namespace

FamilyDescriptor BsSpikeFamily::descriptor() {
  FamilyDescriptor d;
  d.name = "bs_spike";
  d.summary = "Barzilai & Shamir Theorem 5.1: uniforms with a spike of width f(alpha); truth U[0,1]";
  d.truth_params = kTruthParams;
  d.model_params = kModelParams;
  d.estimators = {"mle (exact)"};
  static constexpr MetricDecl<Metric> kList[]{
      {kTv, "tv", "TV(model, U[0,1]) = alpha"},
      {kCollapsed, "collapsed", "1 if alpha > 1/10 (the model moved TV > 1/10 away from the truth), else 0", true},
  };
  static_assert(metrics_in_order(kList));
  d.metrics = metric_infos(kList);
  d.kernels = "statistics: the sorted samples, pooled by a linear merge; accumulate_subsample uses the sample kernel";
  return d;
}

BsSpikeFamily::BsSpikeFamily(const Spec& truth, const Spec& model) {
  SpecReader t(truth, "truth.family: bs_spike", kTruthParams);
  t.finish();
  SpecReader m(model, "model.family: bs_spike", kModelParams);
  width_ = (m.has("width") ? m.number("width") : 1.0 / 39.0);
  decay_ = m.number("decay");
  m.finish();
  truth_.log_f = log_f(0);
}

double BsSpikeFamily::log_f(double alpha) const {
  return std::log(width_) - decay_ * std::max(0.0, alpha - 0.1);
}

void BsSpikeFamily::sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const {
  const double a = m.alpha;
  const double f = std::exp(m.log_f);  // may underflow to 0: the spike samples are then mu itself
  for (std::int64_t i = 0; i < n; ++i) {
    const double u = rng.uniform(), v = rng.uniform();
    if (u < 0.5)
      out.push_back(v);
    else if (u < 0.5 + (1 - a) / 2)
      out.push_back((1 - 2 * a) * v);
    else if (u < 0.5 + (1 - a) / 2 + a / 4)
      out.push_back(2 + v);
    else
      out.push_back(m.mu + f * v);
  }
}

double BsSpikeFamily::log_likelihood(double alpha, double mu, std::span<const Sample> xs) const {
  const double lf = log_f(alpha);
  double ll = 0;
  for (const double x : xs) {
    if (x >= 0 && x <= 1) {
      ll += x <= 1 - 2 * alpha ? std::log(0.5) + gain(alpha) : std::log(0.5);
    } else if (x >= 2 && x <= 3) {
      if (alpha <= 0) return -kInf;
      const bool in_spike = x >= mu && (x == mu || std::log(x - mu) <= lf);
      ll += std::log(alpha / 4) + (in_spike ? spike_gain(lf) : 0.0);
    } else {
      return -kInf;
    }
  }
  return ll;
}

namespace {
void split_sorted(std::vector<double>& a, std::vector<double>& b) {
  // `a` holds a batch: move the samples in [2, 3] to `b`, then sort both.
  const auto mid = std::partition(a.begin(), a.end(), [](double x) { return x <= 1; });
  b.assign(mid, a.end());
  a.erase(mid, a.end());
  for (const double x : a)
    if (x < 0) throw std::logic_error(fmt::format("bs_spike: sample {} outside the support [0,1] u [2,3]", x));
  for (const double x : b)
    if (x < 2 || x > 3) throw std::logic_error(fmt::format("bs_spike: sample {} outside the support [0,1] u [2,3]", x));
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
}
}  // namespace

void BsSpikeFamily::stats_of(std::span<const Sample> xs, Stats& out) const {
  out = Stats{};
  out.a.assign(xs.begin(), xs.end());
  split_sorted(out.a, out.b);
}

void BsSpikeFamily::fit_samples(std::span<const Sample> xs, Model& out) const {
  Stats s;
  stats_of(xs, s);
  fit_stats(s, out);
}

void BsSpikeFamily::draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const {
  out.a.clear();
  sample(m, n, rng, out.a);
  split_sorted(out.a, out.b);
}

void BsSpikeFamily::merge(Stats& into, const Stats& from) const {
  for (auto [to, add] : {std::pair{&into.a, &from.a}, std::pair{&into.b, &from.b}}) {
    const auto old = static_cast<std::ptrdiff_t>(to->size());
    to->insert(to->end(), add->begin(), add->end());
    std::inplace_merge(to->begin(), to->begin() + old, to->end());
  }
}

void BsSpikeFamily::fit_stats(const Stats& s, Model& out) const {
  const std::vector<double>& a = s.a;
  const std::vector<double>& b = s.b;
  const std::size_t nb = b.size();
  // log_spread[j - 1]: log of the smallest spread of j consecutive samples of B (non-decreasing in j).
  std::vector<double> log_spread(nb, -kInf);
  for (std::size_t j = 2; j <= nb; ++j) {
    double spread = kInf;
    for (std::size_t i = 0; i + j <= nb; ++i) spread = std::min(spread, b[i + j - 1] - b[i]);
    log_spread[j - 1] = spread > 0 ? std::log(spread) : -kInf;
  }
  const auto covered = [&](double lf) {  // K: the most samples of B one window of width f covers
    return static_cast<std::size_t>(std::upper_bound(log_spread.begin(), log_spread.end(), lf) - log_spread.begin());
  };
  // The log-likelihood at alpha, given M = #{a <= 1 - 2 alpha}.
  const auto value = [&](double alpha, std::size_t m) {
    if (nb > 0 && alpha <= 0) return -kInf;
    const double lf = log_f(alpha);
    double v = static_cast<double>(m) * gain(alpha);
    if (nb > 0) v += static_cast<double>(nb) * std::log(alpha) + static_cast<double>(covered(lf)) * spike_gain(lf);
    return v;
  };
  double best = -kInf, best_alpha = 0.25;
  const auto consider = [&](double alpha, std::size_t m) {
    const double v = value(alpha, m);
    if (v > best || (v == best && alpha < best_alpha)) best = v, best_alpha = alpha;  // ties: smallest alpha
  };
  const auto count_below = [&](double alpha) {
    return static_cast<std::size_t>(std::upper_bound(a.begin(), a.end(), 1 - 2 * alpha) - a.begin());
  };
  // (1 - x)/2 for every distinct sample x >= 1/2: one sweep down the sorted samples, M = position + 1.
  for (std::size_t i = a.size(); i-- > 0 && a[i] >= 0.5;)
    if (i + 1 == a.size() || a[i] != a[i + 1]) consider((1 - a[i]) / 2, i + 1);
  consider(0.25, count_below(0.25));
  if (nb == 0) consider(0.0, a.size());
  if (decay_ > 0)
    for (std::size_t j = 2; j <= nb; ++j) {
      const double ls = log_spread[j - 1];
      if (ls == -kInf || ls > std::log(width_)) continue;
      const double alpha = 0.1 + (std::log(width_) - ls) / decay_;
      if (alpha <= 0.25) consider(alpha, count_below(alpha));
    }
  out.alpha = best_alpha;
  out.log_f = log_f(best_alpha);
  out.mu = 2;
  const std::size_t k = nb > 0 ? covered(out.log_f) : 0;
  if (k >= 1) {
    std::size_t start = 0;
    for (std::size_t i = 0; i + k <= nb; ++i)
      if (b[i + k - 1] - b[i] < b[start + k - 1] - b[start]) start = i;
    out.mu = std::clamp(b[start], 2.0, 3.0 - std::exp(out.log_f));
  }
}

void BsSpikeFamily::metrics(const Model& m, std::span<double> out) const {
  out[kTv] = m.alpha;
  out[kCollapsed] = m.alpha > 0.1 ? 1.0 : 0.0;
}

double bs_spike_collapse_lower_bound(std::int64_t n) {
  const double nd = static_cast<double>(n);
  const auto integrand = [nd](double m) { return nd * std::pow(m, nd - 1) * std::pow((3 + m) / 4, nd); };
  return 1 - boost::math::quadrature::gauss_kronrod<double, 61>::integrate(integrand, 0.0, 1.0, 15, 1e-12);
}

std::optional<TheoryValue> BsSpikeFamily::theory(const TheoryQuery& q) const {
  if (q.threshold || !q.samples.constant()) return std::nullopt;
  const std::int64_t n = q.samples.at(1);
  TheoryValue v;
  if (q.metric == "tv" && q.generation == 1) {
    v.lo = 1 / (2 * (static_cast<double>(n) + 1));
    v.kind = TheoryKind::kBound;
    v.source = "E[alpha_1] >= E[(1 - max x)/2] = 1/(2(n+1)) (derived)";
    return v;
  }
  const bool pooled_real = q.regime.kind == RegimeKind::kReplace || q.regime.kind == RegimeKind::kAccumulate;
  // A sample in [2,3] forces alpha = 1/4 when the spike's gain there, at least 0.15 decay, exceeds the most
  // the [0,1] samples can lose, log 2.5 each for at most 2n of them (accumulate's pool at round 2).
  const bool spike_dominates = 0.15 * decay_ > 2 * std::log(2.5) * static_cast<double>(n);
  if (q.metric == "collapsed" && q.generation == 2 && pooled_real && spike_dominates) {
    v.lo = bs_spike_collapse_lower_bound(n);
    v.kind = TheoryKind::kBound;
    v.source = "Pr(collapse at round 2) >= 1 - E[(1 - (1 - max x)/4)^n] (derived; Barzilai & Shamir Thm 5.1)";
    return v;
  }
  return std::nullopt;
}

nlohmann::json BsSpikeFamily::describe() const {
  return {{"truth", "U[0,1] (alpha = 0)"},
          {"width", width_},
          {"decay", decay_},
          {"convention", "exact MLE over all candidate alphas, in log space; ties to the smallest alpha; mu starts "
                         "the leftmost best window"}};
}

OUROBOROS_REGISTER_FAMILY(BsSpikeFamily);

}  // namespace ouro
