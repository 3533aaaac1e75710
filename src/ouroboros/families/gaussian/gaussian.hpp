#pragma once
// gaussian: the 1-D normal family N(mean, sd^2).
//
// Model      X ~ N(M, S^2).
// Estimators mle      : M = sample mean, S^2 = sum (x - M)^2 / n          (ddof 0)
//            unbiased : M = sample mean, S^2 = sum (x - M)^2 / (n - 1)    (ddof 1; Suresh et al.'s code)
//            optimized: the MLE found numerically (NLopt Nelder-Mead, gaussian_optimized.hpp), with a
//                       per-replicate `converged` metric (Barzilai & Shamir, Appendix G)
//            known=mean     : M stays the truth's mean; S^2 = sum (x - mean)^2 / n for either estimator
//                             (with the mean known this divisor is both the MLE and unbiased)
//            known=variance : S stays the truth's sd; M = sample mean (Barzilai & Shamir's exact check)
// Statistics (n, mean, m2 = sum of squared deviations). Exact draw: mean = M + S Z / sqrt(n),
//            m2 = S^2 chi2_{n-1}, independent (Cochran). Pools merge exactly (Chan et al. 1979).
//            Subsampling a pool needs the samples: accumulate_subsample runs on the sample kernel.
// Theory     [derived, exact, any schedule; theory/gaussian_chain.hpp] E[M_k] = mu_0 in every regime; under
//            replace and grow E[S_k^2], E[log S_k^2], E[S_k], E[(M_k - mu_0)^2] and E[kl]; under accumulate
//            and fresh_mix E[S_k^2] and E[(M_k - mu_0)^2] (and E[kl] with the variance known). Constant n
//            only: the tail bounds on Pr(S_k > eps) of Suresh et al.'s Theorem 3 (a per-generation schedule
//            gets Markov's bound on the exact E[S_k] instead). None for estimator=optimized.
// Heavy tails S_k^2 under replace is sigma_0^2 times a product of independent chi-square factors: its mean
//            is carried by rare replicates once k is large (log S_k^2 is a sum, well resolved).
// References Suresh, Thangaraj, Khandavally (AISTATS 2025) Sec. 5 and Theorem 3;
//            Barzilai & Shamir (NeurIPS 2025) for the accumulated mean.
//
// Parameters
//   truth: mean (0), sd (1, > 0)
//   model: estimator = mle | unbiased | optimized (mle), known = none | mean | variance (none;
//          optimized needs none)
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <vector>

#include "ouroboros/engine/family.hpp"
#include "ouroboros/core/rng.hpp"
#include "ouroboros/theory/gaussian_chain.hpp"
#include "ouroboros/theory/schedule_table.hpp"

namespace ouro {

class GaussianFamily {
 public:
  struct Model {
    double mean = 0;
    double sd = 1;
    bool converged = true;
  };
  using Sample = double;
  struct Stats {
    std::int64_t n = 0;
    double mean = 0;
    double m2 = 0;
  };
  enum class Known { kNone, kMean, kVariance };

  static FamilyDescriptor descriptor();
  GaussianFamily(const Spec& truth, const Spec& model);

  const Model& truth() const { return truth_; }
  void sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const;
  void fit_samples(std::span<const Sample> xs, Model& out) const;
  void stats_of(std::span<const Sample> xs, Stats& out) const;  // a batch's statistics
  // fresh_mix(real_weight=w): the fit with real samples weighted w, synthetic ones 1 - w (regime.hpp)
  void fit_weighted(const Stats& real, const Stats& synthetic, double real_weight, Model& out) const;
  void draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const;
  void merge(Stats& into, const Stats& from) const;
  void fit_stats(const Stats& s, Model& out) const;
  void metrics(const Model& m, std::span<double> out) const { metrics(m, out, MetricMask{}); }
  // Skips the logarithms of unwanted metrics (their entries hold NaN).
  void metrics(const Model& m, std::span<double> out, const MetricMask& wanted) const;
  void validate(const Regime& regime, const SampleSchedule& samples) const;
  std::optional<TheoryValue> theory(const TheoryQuery& q) const;
  // known=variance mean_sq_error under fresh_mix (weighted or not), augment, keep_real, accumulate(ratio), grow
  std::optional<TheoryValue> mixing_theory(const TheoryQuery& q) const;
  nlohmann::json describe() const;

 private:
  Model truth_;
  double log_truth_sd_ = 0;
  bool unbiased_ = false;
  bool optimized_ = false;
  Known known_ = Known::kNone;
  theory::GaussianFit fit_;
  theory::ScheduleTable<theory::ReplaceMoments> replace_table_;
  theory::ScheduleTable<theory::PooledMoments> pooled_table_;
  theory::ScheduleTable<theory::MixMoments> mix_table_;
};

}  // namespace ouro
