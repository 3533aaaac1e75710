#pragma once
// bs_spike: the construction of Barzilai & Shamir (NeurIPS 2025), Theorem 5.1, in which iterative MLE
// collapses after one synthetic round although the real data stays in the training set.
//
// Model      theta = (alpha, mu), alpha in [0, 1/4], mu in [2, 3 - f(alpha)]:
//              p(x) = 1/2 1[0,1](x) + (1-alpha)/(2(1-2 alpha)) 1[0,1-2alpha](x) + alpha/4 1[2,3](x)
//                     + alpha/(4 f(alpha)) 1[mu, mu+f(alpha)](x).
//            TV(p_theta, U[0,1]) = alpha exactly. The truth is alpha = 0: U[0,1].
// Spike      f(alpha) = width for alpha <= 1/10 and width * exp(-decay (alpha - 1/10)) above, handled in log
//            space (f underflows any double long before 1/4). The default decay 1e6 makes the spike's gain
//            dominate any pool below ~10^5 samples.
// Estimator  exact MLE. Up to a constant the log-likelihood is
//              M(alpha) log((2 - 3 alpha)/(1 - 2 alpha)) + |B| log alpha + K(alpha) log(1 + 1/f(alpha)),
//            M = #{x in [0,1] : x <= 1 - 2 alpha}, B = the samples in [2,3], K = the most samples of B a window
//            of width f(alpha) covers. Each term increases in alpha between the points where M or K drops, so
//            the maximum is at a candidate: 1/4, (1 - x)/2 for samples x >= 1/2, or the alpha where f(alpha)
//            equals the spread of j consecutive samples of B. All candidates are evaluated (one sweep over the
//            sorted data); ties go to the smallest alpha; mu starts the leftmost best window.
// Kernels    statistics: the sorted samples (Stats), drawn by sampling and sorting one batch, pooled by a
//            linear merge; accumulate_subsample uses the sample kernel.
// Theory     [derived] collapse at generation 2 (replace or accumulate) happens exactly when a synthetic
//            sample lands in [2,3], probability 1 - (1 - alpha_1/2)^n given the round-1 fit. The exact MLE has
//            alpha_1 >= (1 - max x)/2, so Pr(collapse at 2) >= 1 - int_0^1 n m^(n-1) (1 - (1-m)/4)^n dm
//            (~0.2 for large n, the paper's figure); E[tv_1] >= 1/(2(n+1)).
//
// Parameters
//   truth: none (U[0,1])
//   model: width (1/39, in (0, 1]), decay (1e6, >= 0)
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <vector>

#include "ouroboros/engine/family.hpp"
#include "ouroboros/core/rng.hpp"

namespace ouro {

class BsSpikeFamily {
 public:
  struct Model {
    double alpha = 0;
    double mu = 2;
    double log_f = 0;  // log f(alpha)
  };
  using Sample = double;
  // The statistics are the samples themselves, kept sorted and split at the gap (1, 2): a pool grows by a
  // linear merge, and the fit needs no sort (Theorem 5.1's MLE depends on the whole sorted data).
  struct Stats {
    std::vector<double> a;  // samples in [0, 1], ascending
    std::vector<double> b;  // samples in [2, 3], ascending
    template <class A>
    void archive(A& ar) { ar(a, b); }  // checkpoints (core/archive.hpp)
  };

  static FamilyDescriptor descriptor();
  BsSpikeFamily(const Spec& truth, const Spec& model);

  const Model& truth() const { return truth_; }
  void sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const;
  void fit_samples(std::span<const Sample> xs, Model& out) const;
  void stats_of(std::span<const Sample> xs, Stats& out) const;  // a batch's statistics
  void draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const;
  void merge(Stats& into, const Stats& from) const;
  void fit_stats(const Stats& s, Model& out) const;
  void metrics(const Model& m, std::span<double> out) const;
  std::optional<TheoryValue> theory(const TheoryQuery& q) const;
  nlohmann::json describe() const;

  double log_f(double alpha) const;
  // The log-likelihood (up to a constant) of (alpha, mu) on the samples; -inf where the model gives 0.
  double log_likelihood(double alpha, double mu, std::span<const Sample> xs) const;

 private:
  Model truth_;
  double width_ = 1.0 / 39.0;
  double decay_ = 1e6;
};

// 1 - int_0^1 n m^(n-1) (1 - (1-m)/4)^n dm: the lower bound on Pr(collapse at generation 2).
double bs_spike_collapse_lower_bound(std::int64_t n);

}  // namespace ouro
