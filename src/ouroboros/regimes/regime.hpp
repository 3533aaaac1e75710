#pragma once
// A regime composes generation k's training set from the real batch and the synthetic batches.
//   replace                    : the n_k samples drawn from model k-1 (generation 1: n_1 real samples)
//   accumulate                 : the real batch plus every synthetic batch so far
//   accumulate_subsample(size) : `size` samples drawn without replacement from the accumulated pool
//   grow                       : replace, but generation k draws k * n_k samples from model k-1
//   fresh_mix(real_fraction)   : round(real_fraction * n_k) fresh samples from the truth, the rest from model k-1
// Generation 1 is always fitted on n_1 real samples from the truth.
#include <cstdint>
#include <string>
#include <vector>

namespace ouro {

enum class RegimeKind { kReplace, kAccumulate, kAccumulateSubsample, kGrow, kFreshMix };

struct Regime {
  RegimeKind kind = RegimeKind::kReplace;
  std::int64_t subsample_size = 0;  // accumulate_subsample only
  double real_fraction = 0;         // fresh_mix only
  std::string name() const;  // canonical spec, e.g. "fresh_mix(real_fraction=0.5)", also the label in outputs
};

Regime parse_regime(const std::string& text);  // throws UserError listing the allowed regimes
const std::vector<std::string>& regime_help();   // one line per regime, for --help and the README

// n_k for k = 1..G: a constant, or one value per generation.
class SampleSchedule {
 public:
  SampleSchedule() = default;
  explicit SampleSchedule(std::vector<std::int64_t> per_generation);
  std::int64_t at(std::int64_t generation) const { return n_[static_cast<std::size_t>(generation - 1)]; }
  bool constant() const { return constant_; }  // O(1): asked once per theory value
  std::int64_t min() const { return min_; }
  std::int64_t generations() const { return static_cast<std::int64_t>(n_.size()); }

 private:
  std::vector<std::int64_t> n_;
  bool constant_ = true;
  std::int64_t min_ = 0;
};

// Smallest training set any generation sees under a regime (what the estimator must cope with).
std::int64_t min_training_size(const Regime& regime, const SampleSchedule& n);

}  // namespace ouro
