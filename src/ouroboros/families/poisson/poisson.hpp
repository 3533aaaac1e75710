#pragma once
// poisson: counts X ~ Poisson(lambda).
//
// Model      X ~ Poisson(L).
// Estimator  mle: L = sum / n.
// Statistics (n, sum). Exact draw: the sum of n Poisson(L) variables is Poisson(n L). Pools add. A subsample
//            of a pool needs the individual counts: accumulate_subsample runs on the sample kernel.
// Theory     E[L_k] = lambda in every regime; Pr(L_k != 0) exactly: Theorem 2 (constant n, replace), its
//            recursion with per-generation sizes under replace, grow and fresh_mix (theory::zero_exponent, up
//            to generation 10^4: it costs O(k) per generation), 1 - exp(-n_1 lambda) under accumulate.
// References Suresh, Thangaraj, Khandavally (AISTATS 2025), Theorem 2.
//
// Parameters
//   truth: lambda (1, >= 0)
//   model: estimator = mle (mle)
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <vector>

#include "ouroboros/engine/family.hpp"
#include "ouroboros/core/rng.hpp"

namespace ouro {

class PoissonFamily {
 public:
  struct Model {
    double lambda = 1;
  };
  using Sample = std::int64_t;
  struct Stats {
    std::int64_t n = 0;
    std::int64_t sum = 0;
  };

  static FamilyDescriptor descriptor();
  PoissonFamily(const Spec& truth, const Spec& model);

  const Model& truth() const { return truth_; }
  void sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const;
  void fit_samples(std::span<const Sample> xs, Model& out) const;
  void stats_of(std::span<const Sample> xs, Stats& out) const;  // a batch's statistics
  // fresh_mix(real_weight=w): the fit with real samples weighted w, synthetic ones 1 - w (regime.hpp)
  void fit_weighted(const Stats& real, const Stats& synthetic, double real_weight, Model& out) const;
  void draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const;
  void merge(Stats& into, const Stats& from) const;
  void validate(const Regime& regime, const SampleSchedule& samples) const;
  void fit_stats(const Stats& s, Model& out) const;
  // Lambda = 0: every sample is 0, and so is their mean.
  bool is_fixed_point(const Model& m) const { return m.lambda == 0; }
  void metrics(const Model& m, std::span<double> out) const;
  std::optional<TheoryValue> theory(const TheoryQuery& q) const;
  nlohmann::json describe() const;

 private:
  Model truth_;
};

}  // namespace ouro
