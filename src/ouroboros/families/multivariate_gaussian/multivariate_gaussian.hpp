#pragma once
// multivariate_gaussian: the d-dimensional normal family N(mean, Sigma).
//
// Model      X ~ N_d(M, Sigma), sampled as M + L Z with L the lower Cholesky factor of Sigma, Z ~ N(0, I_d).
// Estimators mle      : M = sample mean, Sigma = S / n          (S = sum (x - M)(x - M)^T, the scatter)
//            unbiased : M = sample mean, Sigma = S / (n - 1)
//            Either needs n >= d + 1: below that the scatter, hence Sigma, is singular.
// Statistics (n, mean, scatter S). Exact draw from N(M, Sigma): mean = M + L Z / sqrt(n) and
//            S = L W L^T with W ~ Wishart_d(n - 1, I), independent. W = A A^T by the Bartlett decomposition:
//            A lower triangular, A_ii = sqrt(chi2_{n-1-i}) (i = 0..d-1), A_ij ~ N(0, 1) below the diagonal.
//            A batch with n - 1 < d (a small real part of fresh_mix) draws its singular W as a sum of n - 1
//            outer products of standard normal vectors instead. Pools merge exactly (Chan et al. 1979, in
//            the multivariate form S = Sa + Sb + (na nb / n) delta delta^T). Subsampling a pool needs the
//            samples: accumulate_subsample runs on the sample kernel.
// Theory     [derived, exact, any schedule; theory/gaussian_chain.hpp] under replace and grow E[tr Sigma_k],
//            E[log det Sigma_k], E||M_k - mu_0||^2 and E[kl]; under accumulate and fresh_mix E[tr Sigma_k]
//            and E||M_k - mu_0||^2. tr Sigma_k under replace is a product of Wishart factors, heavy-tailed:
//            late generations' mean rests on rare replicates; log_trace (no theory) and logdet are well
//            resolved.
// References Suresh, Thangaraj, Khandavally (AISTATS 2025) Sec. 5 treat the 1-D Gaussian; this family
//            generalises their recursive-fitting setting to d dimensions (its theory is derived here, not
//            quoted). Bartlett (1933), "On the theory of statistical regression", Proc. R. Soc. Edinburgh 53,
//            for the decomposition of the Wishart matrix.
//
// Parameters
//   truth: d (required, integer >= 1), mean (0; one number or a list of d), variances (1; one positive
//          number or a list of d: the diagonal of Sigma), correlation (0; equicorrelation rho, Sigma_ij =
//          rho sqrt(v_i v_j) for i != j; Sigma must be positive definite, i.e. -1/(d - 1) < rho < 1)
//   model: estimator = mle | unbiased (mle)
#include <Eigen/Dense>
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

class MultivariateGaussianFamily {
 public:
  struct Model {
    Eigen::VectorXd mean;
    Eigen::MatrixXd cov;
    // chol * chol^T == cov, cached by fit so that sampling and metrics need no factorisation. It is the
    // lower Cholesky factor (lower == true) except in the rounding fallback described in
    // multivariate_gaussian.cpp.
    Eigen::MatrixXd chol;
    bool lower = true;
    double log_det = 0;  // log det cov; -inf when cov is singular
    template <class A>
    void archive(A& ar) { ar(mean, cov, chol, lower, log_det); }  // checkpoints (core/archive.hpp)
  };
  using Sample = Eigen::VectorXd;
  struct Stats {
    std::int64_t n = 0;  // n == 0: empty (mean and scatter may be unsized)
    Eigen::VectorXd mean;
    Eigen::MatrixXd scatter;
    template <class A>
    void archive(A& ar) { ar(n, mean, scatter); }  // checkpoints (core/archive.hpp)
  };

  static FamilyDescriptor descriptor();
  MultivariateGaussianFamily(const Spec& truth, const Spec& model);

  const Model& truth() const { return truth_; }
  // Size hints for the memory estimate: a sample is a heap vector of d doubles.
  double sample_bytes() const { return sizeof(Sample) + 16.0 + 8.0 * static_cast<double>(truth_.mean.size()); }
  double model_bytes() const { return 24.0 * static_cast<double>(truth_.cov.size()); }
  void sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const;
  void fit_samples(std::span<const Sample> xs, Model& out) const;
  void stats_of(std::span<const Sample> xs, Stats& out) const;  // a batch's statistics
  void draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const;
  void merge(Stats& into, const Stats& from) const;
  void fit_stats(const Stats& s, Model& out) const;
  void metrics(const Model& m, std::span<double> out) const { metrics(m, out, MetricMask{}); }
  // Skips the KL divergence's solve when kl is not wanted (its entry holds NaN).
  void metrics(const Model& m, std::span<double> out, const MetricMask& wanted) const;
  void validate(const Regime& regime, const SampleSchedule& samples) const;
  std::optional<TheoryValue> theory(const TheoryQuery& q) const;
  nlohmann::json describe() const;

 private:
  Eigen::Index d_ = 1;
  Model truth_;
  std::vector<double> variances_;
  double correlation_ = 0;
  bool unbiased_ = false;
  theory::GaussianFit fit_;
  theory::ScheduleTable<theory::ReplaceMoments> replace_table_;
  theory::ScheduleTable<theory::PooledMoments> pooled_table_;
  theory::ScheduleTable<theory::MixMoments> mix_table_;
};

}  // namespace ouro
