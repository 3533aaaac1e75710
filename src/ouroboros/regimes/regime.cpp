#include "ouroboros/regimes/regime.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/spec.hpp"

namespace ouro {

namespace {
const std::vector<ParamInfo> kNoParams;
const std::vector<ParamInfo> kSubsampleParams{{"size", "", "training-set size drawn without replacement from the pool"}};
const std::vector<ParamInfo> kFreshParams{{"real_fraction", "", "fraction of each generation's n_k drawn fresh from the truth"}};

std::string number_text(double x) { return fmt::format("{}", x); }
}  // namespace

std::string Regime::name() const {
  switch (kind) {
    case RegimeKind::kReplace: return "replace";
    case RegimeKind::kAccumulate: return "accumulate";
    case RegimeKind::kAccumulateSubsample: return fmt::format("accumulate_subsample(size={})", subsample_size);
    case RegimeKind::kGrow: return "grow";
    case RegimeKind::kFreshMix: return fmt::format("fresh_mix(real_fraction={})", number_text(real_fraction));
  }
  return {};
}

const std::vector<std::string>& regime_help() {
  static const std::vector<std::string> help{
      "replace: each generation is fitted on n_k samples from the previous model only",
      "accumulate: the real batch plus every synthetic batch so far",
      "accumulate_subsample(size=S): S samples drawn without replacement from the accumulated pool",
      "grow: replace, but generation k draws k*n_k samples from the previous model",
      "fresh_mix(real_fraction=F): round(F*n_k) fresh real samples plus n_k - round(F*n_k) synthetic ones",
  };
  return help;
}

Regime parse_regime(const std::string& text) {
  const Spec spec = parse_spec(text);
  Regime r;
  const std::string what = fmt::format("regime '{}':", text);
  if (spec.name == "replace" || spec.name == "accumulate" || spec.name == "grow") {
    SpecReader(spec, what, kNoParams).finish();
    r.kind = spec.name == "replace" ? RegimeKind::kReplace
             : spec.name == "grow"  ? RegimeKind::kGrow
                                    : RegimeKind::kAccumulate;
  } else if (spec.name == "accumulate_subsample") {
    SpecReader reader(spec, what, kSubsampleParams);
    r.kind = RegimeKind::kAccumulateSubsample;
    r.subsample_size = reader.integer("size", 1);
    reader.finish();
  } else if (spec.name == "fresh_mix") {
    SpecReader reader(spec, what, kFreshParams);
    r.kind = RegimeKind::kFreshMix;
    r.real_fraction = reader.probability("real_fraction");
    reader.finish();
  } else {
    throw UserError(fmt::format(
        "unknown regime '{}' (allowed: replace, accumulate, accumulate_subsample(size=S), grow, "
        "fresh_mix(real_fraction=F))",
        spec.name));
  }
  return r;
}

SampleSchedule::SampleSchedule(std::vector<std::int64_t> per_generation) : n_(std::move(per_generation)) {
  if (n_.empty()) return;
  constant_ = std::all_of(n_.begin(), n_.end(), [&](std::int64_t x) { return x == n_.front(); });
  min_ = *std::min_element(n_.begin(), n_.end());
}

std::int64_t min_training_size(const Regime& regime, const SampleSchedule& n) {
  switch (regime.kind) {
    case RegimeKind::kReplace:
    case RegimeKind::kFreshMix:
      return n.min();
    case RegimeKind::kGrow: {
      std::int64_t smallest = n.at(1);
      for (std::int64_t k = 2; k <= n.generations(); ++k) smallest = std::min(smallest, k * n.at(k));
      return smallest;
    }
    case RegimeKind::kAccumulate:
      return n.at(1);  // the pool only grows
    case RegimeKind::kAccumulateSubsample:
      return regime.subsample_size;
  }
  return 0;
}

}  // namespace ouro
