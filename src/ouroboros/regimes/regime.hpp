#pragma once
// A regime composes generation k's training set from the real batch and the synthetic batches. Generation 1 is
// always fitted on the real batch: n_1 samples from the truth. For k >= 2, with n = n_k:
//   replace                      : n samples drawn from model k-1
//   accumulate(ratio=L)          : the real batch plus every synthetic batch so far, each of round(L n) samples
//                                  (L = 1 by default: Gerstgrasser et al.'s accumulate; L != 1: Alemohammad et
//                                  al.'s augmentation that keeps every synthetic batch)
//   accumulate_subsample(size=S) : S samples drawn without replacement from the accumulated pool (generation 1,
//                                  like every regime, fits the whole real batch)
//   grow                         : k n samples drawn from model k-1
//   fresh_mix(real_fraction=F)   : round(F n) fresh samples from the truth, the rest from model k-1; with
//                                  real_weight=w the fit weights each real sample by w and each synthetic one by
//                                  1 - w, rescaled so the weights sum to n (w = 1/2 is the unweighted fit)
//   augment(ratio=L)             : the real batch, kept fixed, plus round(L n) samples from model k-1 (Bertrand et
//                                  al. 2024; Alemohammad et al. 2024's synthetic augmentation)
//   keep_real(fraction=f)        : round(f n) samples drawn without replacement from the real batch, afresh each
//                                  generation, plus n - round(f n) from model k-1 (Shumailov et al. 2024 keep 10%)
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace ouro {

// fresh_mix with real_weight is kFreshMixWeighted for the same reason: results for kFreshMix are for the
// unweighted fit.
// kAccumulate is accumulate with ratio 1 (the papers' accumulate, which results are stated for); any other ratio
// is kAccumulateRatio, so that a result written for kAccumulate never applies to it by accident.
enum class RegimeKind {
  kReplace, kAccumulate, kAccumulateRatio, kAccumulateSubsample, kGrow, kFreshMix, kFreshMixWeighted, kAugment,
  kKeepReal
};

struct Regime {
  RegimeKind kind = RegimeKind::kReplace;
  std::int64_t subsample_size = 0;  // accumulate_subsample only
  double real_fraction = 0;         // fresh_mix: fresh real share; keep_real: kept real share
  double ratio = 1;                 // accumulate (ratio), augment: synthetic samples per n_k
  double real_weight = std::numeric_limits<double>::quiet_NaN();  // fresh_mix with real_weight only
  bool weighted() const { return kind == RegimeKind::kFreshMixWeighted; }
  bool pooled() const {  // keeps every synthetic batch
    return kind == RegimeKind::kAccumulate || kind == RegimeKind::kAccumulateRatio ||
           kind == RegimeKind::kAccumulateSubsample;
  }
  std::string name() const;  // canonical spec, e.g. "fresh_mix(real_fraction=0.5)", also the label in outputs
};

// fresh_mix(real_weight=w): the weight of each real and each synthetic sample, w and 1 - w rescaled so that the
// r + s weights sum to r + s (w = 1/2 gives weights 1: the unweighted fit). Needs r, s > 0.
struct SampleWeights {
  double real, synthetic;
};
inline SampleWeights sample_weights(double real_weight, double real_count, double synthetic_count) {
  const double scale = (real_count + synthetic_count) / (real_weight * real_count + (1 - real_weight) * synthetic_count);
  return {real_weight * scale, (1 - real_weight) * scale};
}

Regime parse_regime(const std::string& text);  // throws UserError listing the allowed regimes
const std::vector<std::string>& regime_help();   // one line per regime, for --help and the README

// n_k for k = 1..G: a constant, or one value per generation.
class SampleSchedule {
 public:
  SampleSchedule() = default;
  explicit SampleSchedule(std::vector<std::int64_t> per_generation);
  // The same n every generation, held in O(1) memory whatever the number of generations.
  SampleSchedule(std::int64_t generations, std::int64_t n) : generations_(generations), constant_(true), min_(n) {}
  std::int64_t at(std::int64_t generation) const {
    return n_.empty() ? min_ : n_[static_cast<std::size_t>(generation - 1)];
  }
  bool constant() const { return constant_; }  // O(1): asked once per theory value
  std::int64_t min() const { return min_; }
  std::int64_t generations() const { return generations_; }

 private:
  std::vector<std::int64_t> n_;  // empty: constant (min_ every generation)
  std::int64_t generations_ = 0;
  bool constant_ = true;
  std::int64_t min_ = 0;
};

// Smallest training set any generation sees under a regime (what the estimator must cope with).
std::int64_t min_training_size(const Regime& regime, const SampleSchedule& n);

// Largest number of samples any generation holds under a regime: the pool of the pooled regimes (accumulate_subsample
// included: its subsample is drawn from the whole pool), k n_k under grow, the training set otherwise. Computed in
// long double, so a sum that would overflow 64-bit integers is still compared correctly against a limit.
long double max_held_samples(const Regime& regime, const SampleSchedule& n);
// The generation where max_held_samples is reached.
std::int64_t max_held_generation(const Regime& regime, const SampleSchedule& n);

}  // namespace ouro
