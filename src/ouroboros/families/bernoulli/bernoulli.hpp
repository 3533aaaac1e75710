#pragma once
// bernoulli: X in {0, 1} with P(X = 1) = p.
//
// Model      X ~ Bernoulli(P).
// Estimator  mle: P = (number of ones) / n.
// Statistics (n, number of ones). Exact draw: Binomial(n, P); pools add; a subsample of a pool is a
//            hypergeometric draw on the pooled counts.
// Theory     E[P_k] = p0 in every regime; E[P_k(1 - P_k)] exact under replace, grow, accumulate and fresh_mix
//            for any schedule; Pr(P_k != 0) and Pr(P_k in (0,1)): Theorem 1 and Seddik et al.'s bounds for a
//            constant n under replace, exact under accumulate, lower bounds (and Seddik's upper one)
//            otherwise.
// References Suresh, Thangaraj, Khandavally (AISTATS 2025), Theorem 1; Seddik et al. (2024) as quoted there.
//
// Parameters
//   truth: p (0.5, in [0, 1])
//   model: estimator = mle (mle)
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <vector>

#include "ouroboros/engine/family.hpp"
#include "ouroboros/core/rng.hpp"
#include "ouroboros/theory/schedule_table.hpp"

namespace ouro {

class BernoulliFamily {
 public:
  struct Model {
    double p = 0.5;
  };
  using Sample = std::uint8_t;
  struct Stats {
    std::int64_t n = 0;
    std::int64_t ones = 0;
  };

  static FamilyDescriptor descriptor();
  BernoulliFamily(const Spec& truth, const Spec& model);

  const Model& truth() const { return truth_; }
  void sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const;
  void fit_samples(std::span<const Sample> xs, Model& out) const;
  void stats_of(std::span<const Sample> xs, Stats& out) const;  // a batch's statistics
  // fresh_mix(real_weight=w): the fit with real samples weighted w, synthetic ones 1 - w (regime.hpp)
  void fit_weighted(const Stats& real, const Stats& synthetic, double real_weight, Model& out) const;
  void draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const;
  void merge(Stats& into, const Stats& from) const;
  void subsample_stats(const Stats& pool, std::int64_t n, Rng& rng, Stats& out) const;
  void fit_stats(const Stats& s, Model& out) const;
  // P = 0 or 1: every sample is the same, and the fraction of ones is P again.
  bool is_fixed_point(const Model& m) const { return m.p == 0 || m.p == 1; }
  void metrics(const Model& m, std::span<double> out) const;
  std::optional<TheoryValue> theory(const TheoryQuery& q) const;
  nlohmann::json describe() const;

 private:
  struct Row {
    double pq = 0;  // E[P_k (1 - P_k)]
    std::int64_t pool = 0;
  };
  Row step(const Row& previous, const Regime& regime, const SampleSchedule& samples, std::int64_t j) const;

  Model truth_;
  theory::ScheduleTable<Row> table_;
};

}  // namespace ouro
