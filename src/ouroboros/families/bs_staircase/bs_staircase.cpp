#include "ouroboros/families/bs_staircase/bs_staircase.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "ouroboros/core/samplers.hpp"
#include "ouroboros/engine/simulator_for.hpp"
#include "ouroboros/theory/barzilai_shamir2025.hpp"

namespace ouro {

namespace {
enum Metric { kTv, kSwitched, kTopStep };
const std::vector<ParamInfo> kTruthParams{};
const std::vector<ParamInfo> kModelParams{
    param::integer("height", "3", "spike alternatives g_{beta,J} exist for J >= height: the staircase's height").at_least(2).at_most(1000),
    param::number("growth", "1e6", "spike width f(J) = exp(-growth J)").at_least(0),
};
constexpr double kInf = std::numeric_limits<double>::infinity();
// Steps are vector indices: samples this far up cannot come from any model of a run.
constexpr double kMaxStep = 1 << 24;

// x, kept below `limit` (rounding in j + L v can reach the next step's left end).
double below(double x, double limit) { return std::min(x, std::nextafter(limit, 0.0)); }

// log(1 + J/f) from log f: the log-density gain of the spike over g's uniform part.
double spike_gain(double top, double log_f) {
  const double x = std::log(top) - log_f;  // > 0: f <= 1 < J
  return x + std::log1p(std::exp(-x));
}

std::size_t step_of(double x) {
  if (!(x >= 0 && x < kMaxStep))
    throw std::logic_error(fmt::format("bs_staircase: sample {} outside the support [0, {})", x, kMaxStep));
  return static_cast<std::size_t>(x);
}

// Ascending values -> distinct values with multiplicities.
void compress(std::vector<double>& values, std::vector<std::pair<double, std::int64_t>>& out) {
  std::sort(values.begin(), values.end());
  out.clear();
  for (const double v : values) {
    if (!out.empty() && out.back().first == v)
      ++out.back().second;
    else
      out.emplace_back(v, 1);
  }
}
}  // namespace

FamilyDescriptor BsStaircaseFamily::descriptor() {
  FamilyDescriptor d;
  d.name = "bs_staircase";
  d.summary = "Barzilai & Shamir Theorem 5.2: a staircase h_alpha against spike alternatives g_{beta,J}; truth U[0,1]";
  d.truth_params = kTruthParams;
  d.model_params = kModelParams;
  d.estimators = {"mle (exact)"};
  static constexpr MetricDecl<Metric> kList[]{
      {kTv, "tv", "TV(model, U[0,1]): alpha_0 for a staircase, 1 - 1/(2J) for a spike alternative"},
      {kSwitched, "switched", "1 if the model is a spike alternative g_{beta,J}, else 0", true},
      {kTopStep, "top_step", "the highest step holding training data (J-1 for a spike alternative)"},
  };
  static_assert(metrics_in_order(kList));
  d.metrics = metric_infos(kList);
  d.kernels =
      "statistics: per-step counts and maxima plus the top step's samples, pooled elementwise and by a linear "
      "merge; accumulate_subsample uses the sample kernel";
  return d;
}

BsStaircaseFamily::BsStaircaseFamily(const Spec& truth, const Spec& model) {
  SpecReader t(truth, "truth.family: bs_staircase", kTruthParams);
  t.finish();
  SpecReader m(model, "model.family: bs_staircase", kModelParams);
  height_ = m.integer("height");
  growth_ = m.number("growth");
  m.finish();
}

void BsStaircaseFamily::sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const {
  if (m.spike()) {
    const double top = static_cast<double>(m.top), f = std::exp(m.log_f);  // f may underflow: then x = mu
    for (std::int64_t i = 0; i < n; ++i) {
      const double u = rng.uniform(), v = rng.uniform();
      out.push_back(below(u < 0.5 ? top * v : m.mu + f * v, top));
    }
    return;
  }
  for (std::int64_t i = 0; i < n; ++i) {
    std::size_t j = 0;  // climb past step j with probability alpha_j; alpha_j = 0 above the fitted steps
    while (j < m.alpha.size() && rng.uniform() < m.alpha[j]) ++j;
    const double len = j < m.alpha.size() ? 1 - 2 * m.alpha[j] : 1.0, lo = static_cast<double>(j);
    out.push_back(below(lo + len * rng.uniform(), lo + 1));
  }
}

double BsStaircaseFamily::log_likelihood(const Model& m, std::span<const Sample> xs) const {
  double ll = 0;
  if (m.spike()) {
    const double top = static_cast<double>(m.top);
    for (const double x : xs) {
      if (!(x >= 0 && x <= top)) return -kInf;
      const bool in_spike = x >= m.mu && (x == m.mu || std::log(x - m.mu) <= m.log_f);
      ll += -std::log(2 * top) + (in_spike ? spike_gain(top, m.log_f) : 0.0);
    }
    return ll;
  }
  for (const double x : xs) {
    if (!(x >= 0)) return -kInf;
    const auto j = static_cast<std::size_t>(x);
    const double a = j < m.alpha.size() ? m.alpha[j] : 0.0;
    if (x > static_cast<double>(j) + 1 - 2 * a) return -kInf;
    double log_mass = std::log1p(-a) - std::log1p(-2 * a);
    for (std::size_t k = 0; k < j; ++k) {
      if (k >= m.alpha.size() || m.alpha[k] == 0) return -kInf;
      log_mass += std::log(m.alpha[k]);
    }
    ll += log_mass;
  }
  return ll;
}

void BsStaircaseFamily::stats_of(std::span<const Sample> xs, Stats& out) const {
  out.count.clear();
  out.max.clear();
  out.top.clear();
  for (const double x : xs) {
    const std::size_t j = step_of(x);
    if (j >= out.count.size()) out.count.resize(j + 1, 0), out.max.resize(j + 1, -kInf);
    ++out.count[j];
    out.max[j] = std::max(out.max[j], x);
  }
  const std::size_t t = out.count.size();
  if (t < static_cast<std::size_t>(height_)) return;
  std::vector<double> top;
  for (const double x : xs)
    if (static_cast<std::size_t>(x) == t - 1) top.push_back(x);
  compress(top, out.top);
}

void BsStaircaseFamily::fit_samples(std::span<const Sample> xs, Model& out) const {
  Stats s;
  stats_of(xs, s);
  fit_stats(s, out);
}

void BsStaircaseFamily::draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const {
  out.count.clear();
  out.max.clear();
  out.top.clear();
  if (n <= 0) return;
  // Counts per step by conditional binomials; the spike's samples are counted apart, in step J-1.
  std::int64_t in_spike = 0;
  std::vector<double> len;  // each step's interval length (the spike's samples are drawn apart)
  if (m.spike()) {
    const auto top = static_cast<std::size_t>(m.top);
    in_spike = draw_binomial(rng, n, 0.5);
    std::int64_t rest = n - in_spike;
    out.count.assign(top, 0);
    for (std::size_t j = 0; j + 1 < top; ++j) {
      out.count[j] = draw_binomial(rng, rest, 1.0 / static_cast<double>(top - j));
      rest -= out.count[j];
    }
    out.count[top - 1] = rest;
    len.assign(top, 1.0);
  } else {
    const std::size_t steps = m.alpha.size() + 1;
    out.count.assign(steps, 0);
    len.assign(steps, 1.0);
    std::int64_t rest = n;
    for (std::size_t j = 0; j + 1 < steps && rest > 0; ++j) {
      const std::int64_t climb = draw_binomial(rng, rest, m.alpha[j]);
      out.count[j] = rest - climb;
      len[j] = 1 - 2 * m.alpha[j];
      rest = climb;
    }
    out.count[steps - 1] += rest;
  }
  const std::int64_t spike_step = m.spike() ? m.top - 1 : -1;
  if (spike_step >= 0) out.count[static_cast<std::size_t>(spike_step)] += in_spike;
  while (!out.count.empty() && out.count.back() == 0) out.count.pop_back();
  const std::size_t t = out.count.size();
  out.max.assign(t, -kInf);
  const bool keep_top = t >= static_cast<std::size_t>(height_);
  for (std::size_t j = 0; j < t; ++j) {
    const std::int64_t c = out.count[j];
    if (c == 0) continue;
    const double lo = static_cast<double>(j);
    if (j + 1 == t && keep_top) {
      std::vector<double> values;
      const std::int64_t spike_here = static_cast<std::int64_t>(j) == spike_step ? in_spike : 0;
      for (std::int64_t i = 0; i < c - spike_here; ++i) values.push_back(below(lo + len[j] * rng.uniform(), lo + 1));
      const double f = std::exp(m.log_f);
      if (m.mu + f == m.mu) {  // the spike is narrower than the spacing of doubles at mu: every sample is mu
        values.insert(values.end(), static_cast<std::size_t>(spike_here), m.mu);
      } else {
        for (std::int64_t i = 0; i < spike_here; ++i) values.push_back(below(m.mu + f * rng.uniform(), lo + 1));
      }
      compress(values, out.top);
      out.max[j] = out.top.back().first;
    } else {
      // The largest of c uniforms on [j, j + L]: j + L U^(1/c).
      out.max[j] = below(lo + len[j] * std::exp(std::log(rng.uniform()) / static_cast<double>(c)), lo + 1);
    }
  }
}

void BsStaircaseFamily::merge(Stats& into, const Stats& from) const {
  if (from.count.empty()) return;
  const std::size_t ti = into.count.size(), tf = from.count.size();
  if (tf > ti) {
    into.count.resize(tf, 0);
    into.max.resize(tf, -kInf);
  }
  for (std::size_t j = 0; j < tf; ++j) {
    into.count[j] += from.count[j];
    into.max[j] = std::max(into.max[j], from.max[j]);
  }
  if (tf > ti) {
    into.top = from.top;
  } else if (tf == ti && !from.top.empty()) {
    // One linear merge of the two ascending lists, then equal values are combined.
    auto& top = into.top;
    const auto old = static_cast<std::ptrdiff_t>(top.size());
    top.insert(top.end(), from.top.begin(), from.top.end());
    std::inplace_merge(top.begin(), top.begin() + old, top.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
    std::size_t w = 0;
    for (std::size_t r = 1; r < top.size(); ++r) {
      if (top[r].first == top[w].first)
        top[w].second += top[r].second;
      else
        top[++w] = top[r];
    }
    top.resize(w + 1);
  }
}

void BsStaircaseFamily::fit_stats(const Stats& s, Model& out) const {
  if (s.count.empty()) throw std::logic_error("bs_staircase: fit on an empty training set");
  const std::size_t steps = s.count.size();
  // The staircase: alpha_j at its upper bound wherever data sits at or above step j (log L increases in it).
  out.alpha.resize(steps);
  double ll_h = 0;
  std::int64_t above = 0;
  for (std::size_t j = steps; j-- > 0;) {
    const std::int64_t c = s.count[j];
    const double a = c > 0 ? std::min(0.25, (static_cast<double>(j) + 1 - s.max[j]) / 2) : (above > 0 ? 0.25 : 0.0);
    out.alpha[j] = a;
    ll_h += static_cast<double>(c) * (std::log1p(-a) - std::log1p(-2 * a));
    if (above > 0) ll_h += static_cast<double>(above) * std::log(a);
    above += c;
  }
  const std::int64_t total = above;
  // The spike alternative: J = max(height, F+1); its spike can hold samples only when step J-1 = F.
  const std::int64_t top = std::max<std::int64_t>(height_, static_cast<std::int64_t>(steps));
  const double lf = log_f(top), topd = static_cast<double>(top);
  std::int64_t covered = 0;
  double start = topd - 1;
  if (!s.top.empty()) {
    std::int64_t window = 0;
    std::size_t r = 0;
    for (std::size_t i = 0; i < s.top.size(); ++i) {  // window [v_i, v_i + f], two pointers
      if (r < i) r = i, window = 0;
      while (r < s.top.size()) {
        const double d = s.top[r].first - s.top[i].first;
        if (!(d <= 0 || std::log(d) <= lf)) break;
        window += s.top[r++].second;
      }
      if (window > covered) covered = window, start = s.top[i].first;
      window -= s.top[i].second;
    }
  }
  const double ll_g = -static_cast<double>(total) * std::log(2 * topd) +
                      static_cast<double>(covered) * spike_gain(topd, lf);
  if (ll_g > ll_h) {  // ties go to the staircase
    out.alpha.clear();
    out.top = top;
    out.log_f = lf;
    out.mu = std::clamp(start, topd - 1, topd - std::exp(lf));
  } else {
    out.top = 0;
    out.mu = 0;
    out.log_f = 0;
  }
}

void BsStaircaseFamily::metrics(const Model& m, std::span<double> out) const {
  out[kTv] = m.spike() ? 1 - 1 / (2 * static_cast<double>(m.top)) : m.alpha[0];
  out[kSwitched] = m.spike() ? 1.0 : 0.0;
  out[kTopStep] = m.spike() ? static_cast<double>(m.top - 1) : static_cast<double>(m.alpha.size() - 1);
}

std::optional<TheoryValue> BsStaircaseFamily::theory(const TheoryQuery& q) const {
  if (q.threshold || !q.samples.constant()) return std::nullopt;
  const std::int64_t n = q.samples.at(1), k = q.generation;
  TheoryValue v;
  if (q.metric == "tv" && k == 1) {
    v.mid = theory::staircase_round1_tv(n);
    v.kind = TheoryKind::kExact;
    v.source = "E[alpha_0] = E[min(1/4, (1 - max x)/2)] (derived)";
    return v;
  }
  if (q.metric == "switched" && k < height_) {
    v.mid = 0;
    v.kind = TheoryKind::kExact;
    v.source = "each round climbs one step at most: no switch before round `height` (derived)";
    return v;
  }
  // Beyond this point: accumulate, with a spike strong enough that any sample at step height-1 makes g win.
  const double pool = static_cast<double>(n) * static_cast<double>(k);
  const double h = static_cast<double>(height_);
  if (q.regime.kind != RegimeKind::kAccumulate || !(growth_ * h > pool * std::log(3 * h))) return std::nullopt;
  if (q.metric == "switched") {
    const double p = 1 - theory::staircase_no_switch_bound(n, height_, k);
    if (height_ == 2) {
      v.mid = p;
      v.kind = TheoryKind::kExact;
      v.source = "Pr(switched by k) = 1 - E[(1 - alpha_0)^(n(k-1))] (derived; Barzilai & Shamir Thm 5.2)";
    } else {
      v.hi = p;
      v.kind = TheoryKind::kBound;
      v.source = "Pr(switched by k) <= 1 - E[(1 - alpha_0 4^(2-height))^(n(k-1))] (derived; Barzilai & Shamir Thm 5.2)";
    }
    return v;
  }
  if (q.metric == "tv" && height_ == 2) {
    v.mid = theory::staircase_tv_height2(n, k);
    v.kind = TheoryKind::kExact;
    v.source = "E[tv_k] = E[alpha_0 (1-alpha_0)^(n(k-1))] + 3/4 Pr(switched by k) (derived)";
    return v;
  }
  return std::nullopt;
}

nlohmann::json BsStaircaseFamily::describe() const {
  return {{"truth", "U[0,1] (alpha = 0)"},
          {"height", height_},
          {"growth", growth_},
          {"convention", "exact MLE in log space: alpha_j at its upper bound where data sits at or above step j, "
                         "0 above the data; the spike alternative with J = max(height, top step + 1); ties to the "
                         "staircase; mu starts the leftmost best window"}};
}

OUROBOROS_REGISTER_FAMILY(BsStaircaseFamily);

}  // namespace ouro
