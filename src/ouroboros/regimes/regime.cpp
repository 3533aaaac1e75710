#include "ouroboros/regimes/regime.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/spec.hpp"

namespace ouro {

namespace {
const std::vector<ParamInfo> kNoParams;
const std::vector<ParamInfo> kSubsampleParams{
    param::integer("size", "", "training-set size drawn without replacement from the pool").at_least(1)};
const std::vector<ParamInfo> kFreshParams{
    param::probability("real_fraction", "", "fraction of each generation's n_k drawn fresh from the truth"),
    param::probability("real_weight", "", "weight w of each real sample in the fit (synthetic ones: 1 - w)")
        .computed("none: an unweighted fit")};
const std::vector<ParamInfo> kRatioParams{
    param::number("ratio", "1", "synthetic samples per generation, as a multiple of n_k").at_least(0)};
const std::vector<ParamInfo> kKeepParams{
    param::probability("fraction", "", "share of n_k drawn afresh from the real batch of generation 1")};

std::string number_text(double x) { return fmt::format("{}", x); }
}  // namespace

std::string Regime::name() const {
  switch (kind) {
    case RegimeKind::kReplace: return "replace";
    case RegimeKind::kAccumulate: return "accumulate";
    case RegimeKind::kAccumulateRatio: return fmt::format("accumulate(ratio={})", number_text(ratio));
    case RegimeKind::kAccumulateSubsample: return fmt::format("accumulate_subsample(size={})", subsample_size);
    case RegimeKind::kGrow: return "grow";
    case RegimeKind::kFreshMix: return fmt::format("fresh_mix(real_fraction={})", number_text(real_fraction));
    case RegimeKind::kFreshMixWeighted:
      return fmt::format("fresh_mix(real_fraction={}, real_weight={})", number_text(real_fraction),
                         number_text(real_weight));
    case RegimeKind::kAugment: return fmt::format("augment(ratio={})", number_text(ratio));
    case RegimeKind::kKeepReal: return fmt::format("keep_real(fraction={})", number_text(real_fraction));
  }
  return {};
}

const std::vector<std::string>& regime_help() {
  static const std::vector<std::string> help{
      "replace: each generation is fitted on n_k samples from the previous model only",
      "accumulate: the real batch plus every synthetic batch so far",
      "accumulate(ratio=L): the same, with synthetic batches of round(L*n_k) samples",
      "accumulate_subsample(size=S): S samples drawn without replacement from the accumulated pool",
      "grow: replace, but generation k draws k*n_k samples from the previous model",
      "fresh_mix(real_fraction=F): round(F*n_k) fresh real samples plus n_k - round(F*n_k) synthetic ones",
      "fresh_mix(real_fraction=F, real_weight=w): the same, the fit weighting real samples by w, synthetic by 1-w",
      "augment(ratio=L): the real batch of generation 1, kept fixed, plus round(L*n_k) synthetic samples",
      "keep_real(fraction=f): round(f*n_k) samples drawn afresh from the real batch plus n_k - round(f*n_k) synthetic",
  };
  return help;
}

Regime parse_regime(const std::string& text) {
  const Spec spec = parse_spec(text);
  Regime r;
  const std::string what = fmt::format("regime '{}':", text);
  if (spec.name == "replace" || spec.name == "grow") {
    SpecReader(spec, what, kNoParams).finish();
    r.kind = spec.name == "replace" ? RegimeKind::kReplace : RegimeKind::kGrow;
  } else if (spec.name == "accumulate" || spec.name == "augment") {
    SpecReader reader(spec, what, kRatioParams);
    r.ratio = reader.number("ratio");
    r.kind = spec.name == "augment" ? RegimeKind::kAugment
             : r.ratio == 1         ? RegimeKind::kAccumulate
                                    : RegimeKind::kAccumulateRatio;
    reader.finish();
  } else if (spec.name == "accumulate_subsample") {
    SpecReader reader(spec, what, kSubsampleParams);
    r.kind = RegimeKind::kAccumulateSubsample;
    r.subsample_size = reader.integer("size");
    reader.finish();
  } else if (spec.name == "fresh_mix") {
    SpecReader reader(spec, what, kFreshParams);
    r.kind = RegimeKind::kFreshMix;
    r.real_fraction = reader.number("real_fraction");
    if (reader.has("real_weight")) {
      r.kind = RegimeKind::kFreshMixWeighted;
      r.real_weight = reader.number("real_weight");
    }
    reader.finish();
  } else if (spec.name == "keep_real") {
    SpecReader reader(spec, what, kKeepParams);
    r.kind = RegimeKind::kKeepReal;
    r.real_fraction = reader.number("fraction");
    reader.finish();
  } else {
    throw UserError(fmt::format(
        "unknown regime '{}' (allowed: replace, accumulate, accumulate(ratio=L), accumulate_subsample(size=S), grow, "
        "fresh_mix(real_fraction=F[, real_weight=w]), augment(ratio=L), keep_real(fraction=f))",
        spec.name));
  }
  return r;
}

SampleSchedule::SampleSchedule(std::vector<std::int64_t> per_generation)
    : n_(std::move(per_generation)), generations_(static_cast<std::int64_t>(n_.size())) {
  if (n_.empty()) return;
  constant_ = std::all_of(n_.begin(), n_.end(), [&](std::int64_t x) { return x == n_.front(); });
  min_ = *std::min_element(n_.begin(), n_.end());
}

std::int64_t min_training_size(const Regime& regime, const SampleSchedule& n) {
  switch (regime.kind) {
    case RegimeKind::kReplace:
    case RegimeKind::kFreshMix:
    case RegimeKind::kFreshMixWeighted:
    case RegimeKind::kKeepReal:
      return n.min();
    case RegimeKind::kGrow: {
      std::int64_t smallest = n.at(1);
      for (std::int64_t k = 2; k <= n.generations(); ++k) smallest = std::min(smallest, k * n.at(k));
      return smallest;
    }
    case RegimeKind::kAccumulate:  // the pool only grows
    case RegimeKind::kAccumulateRatio:
    case RegimeKind::kAugment:  // the real batch is always in
      return n.at(1);
    case RegimeKind::kAccumulateSubsample:
      return regime.subsample_size;
  }
  return 0;
}

namespace {
// The samples held at generation k, and the running pool (pooled regimes).
long double held_at(const Regime& regime, const SampleSchedule& n, std::int64_t k, long double& pool) {
  const auto nk = static_cast<long double>(n.at(k));
  const auto share = [&](double x) { return std::round(static_cast<long double>(x) * nk); };
  if (k == 1) {
    pool = nk;
    return nk;
  }
  switch (regime.kind) {
    case RegimeKind::kGrow: return static_cast<long double>(k) * nk;
    case RegimeKind::kAccumulate:
    case RegimeKind::kAccumulateSubsample: return pool += nk;
    case RegimeKind::kAccumulateRatio: return pool += share(regime.ratio);
    case RegimeKind::kAugment: return static_cast<long double>(n.at(1)) + share(regime.ratio);
    default: return nk;
  }
}
}  // namespace

long double max_held_samples(const Regime& regime, const SampleSchedule& n) {
  if (n.constant() && n.generations() > 2) {  // O(1): the last generation holds the most
    const auto n1 = static_cast<long double>(n.at(1)), g = static_cast<long double>(n.generations());
    long double pool = 0;
    held_at(regime, n, 1, pool);
    const long double second = held_at(regime, n, 2, pool);  // the first generation after the real one
    switch (regime.kind) {
      case RegimeKind::kGrow:
      case RegimeKind::kAccumulate:
      case RegimeKind::kAccumulateSubsample:
      case RegimeKind::kAccumulateRatio: return n1 + (g - 1) * (second - n1);  // grows by the same step each time
      default: return std::max(n1, second);
    }
  }
  long double pool = 0, most = 0;
  for (std::int64_t k = 1; k <= n.generations(); ++k) most = std::max(most, held_at(regime, n, k, pool));
  return most;
}

std::int64_t max_held_generation(const Regime& regime, const SampleSchedule& n) {
  if (n.constant() && n.generations() > 2) return n.generations();
  long double pool = 0, most = -1;
  std::int64_t at = 1;
  for (std::int64_t k = 1; k <= n.generations(); ++k)
    if (const long double h = held_at(regime, n, k, pool); h > most) most = h, at = k;
  return at;
}

}  // namespace ouro
