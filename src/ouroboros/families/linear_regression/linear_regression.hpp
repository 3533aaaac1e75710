#pragma once
// linear_regression: y = x^T w + eps with x ~ N(0, Sigma), Sigma diagonal, eps ~ N(0, sigma^2); the model
// is the weight vector, and each generation's labels are the previous model's predictions plus fresh noise.
//
// Model      weights w (and w_clean, the same chain run with zero label noise: E[w | designs], for the
//            bias/variance split), plus, with design=fixed, a shared pointer to the replicate's design.
// Design     fixed : one X (T x d) per replicate, drawn when generation 1 draws its T real rows, then
// relabelled
//                    by every later generation (Gerstgrasser et al. 2024). A batch of m rows relabels the
//                    rows of X tiled: row i is X's row i mod T, so grow's k T rows are X tiled k times and an
//                    accumulated pool holds X once per generation. Rows drawn from the truth after
//                    generation 1 (fresh_mix's real part) are fresh rows.
//            fresh : new rows x ~ N(0, Sigma) in every batch (Dohmatob et al. 2024).
// Estimators ols      : (X^T X)^{-1} X^T y, needs T >= d + 2 (the expected test error is infinite below)
//            ridge    : (X^T X + lambda T I)^{-1} X^T y with T the training set's row count (the lambda T
//                       normalisation of Dohmatob et al.), lambda fixed or adaptive lambda = T^{-ell}
//            min_norm : (X^T X)^+ X^T y, the minimum-norm interpolator when T < d (OLS when T >= d)
// Statistics (X^T X, X^T y, X^T y_clean, row count): Given X, X^T eps ~ N(0, sigma^2 X^T X) exactly.
//            fixed design: X^T X, its eigenvectors V and eigenvalues s are computed once per replicate;
//            c copies of X draw X^T eps = sigma sqrt(c) V diag(sqrt(s)) z and the fit is a spectral solve,
//            so a generation is O(d^2) whatever the pool size (a partial copy, m not a multiple of T, adds
//            its rows explicitly). fresh design: X^T X = D A A^T D, D = Sigma^{1/2}, A Bartlett's factor of a
//            Wishart_d(m, I) (m outer products of normal vectors when m < d); X^T eps = sigma D A z; the fit
//            is a Cholesky solve, O(d^3). Subsampling a pool needs the rows: accumulate_subsample runs on the
//            sample kernel.
// References Gerstgrasser et al. (COLM 2024), Dohmatob, Feng, Kempe (NeurIPS 2024);
// theory/gerstgrasser2024.hpp
//            and theory/dohmatob2024.hpp.
//
// Parameters
//   truth: d (required), sigma (1, >= 0: label noise sd of every generation's labels);
//          Sigma: spectrum = one number c (Sigma = c I) or a list of d positive eigenvalues, or power_law =
//          beta (eigenvalues j^{-beta}, j = 1..d, so the largest is 1); default I. w*: w = list of d numbers,
//          or source = r (w_j = j^{-(1 + 2 beta r)/2} / sqrt(lambda_j), so that lambda_j w_j^2 = j^{-(1 + 2
//          beta r)}; needs power_law), or by default drawn N(0, I/d) from the truth stream keyed by w_seed
//          (0).
//   model: estimator = ols | ridge | min_norm (ols), lambda (ridge, >= 0) or lambda_exponent (ridge: lambda =
//          T^{-ell}), design = fixed | fresh (fixed), test_samples (0: the Monte Carlo test set's size),
//          downstream_samples (0: off), downstream_noise (the truth's sigma), downstream_lambda (0) or
//          downstream_lambda_exponent (lambda = T^{-ell} with T = downstream_samples).
#include <Eigen/Dense>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <vector>

#include "ouroboros/engine/family.hpp"
#include "ouroboros/core/rng.hpp"
#include "ouroboros/theory/dohmatob2024.hpp"
#include "ouroboros/theory/schedule_table.hpp"

namespace ouro {

class LinearRegressionFamily {
 public:
  // One replicate's fixed design: its rows and the spectral decomposition every generation reuses.
  struct Design {
    Eigen::MatrixXd x;       // T x d
    Eigen::MatrixXd gram;    // X^T X = basis diag(eig) basis^T
    Eigen::MatrixXd basis;   // eigenvectors of X^T X
    Eigen::VectorXd eig;     // its eigenvalues, clamped at 0
    Eigen::MatrixXd factor;  // basis diag(sqrt(eig)): factor z ~ N(0, X^T X) for z ~ N(0, I)
  };
  struct Model {
    Eigen::VectorXd w;
    Eigen::VectorXd w_clean;
    std::shared_ptr<const Design> design;  // null for the truth and with design=fresh
  };
  struct Sample {
    Eigen::VectorXd x;
    double y = 0;
    double y_clean = 0;                    // the label without noise, carried for the bias/variance split
    std::shared_ptr<const Design> design;  // the design the row belongs to (design=fixed), else null
  };
  struct Stats {
    std::shared_ptr<const Design> design;
    std::int64_t copies = 0;  // whole copies of design->x among the rows
    Eigen::MatrixXd gram;     // X^T X of the other rows (0 x 0 when there are none)
    Eigen::VectorXd xty, xty_clean;
    std::int64_t count = 0;
  };
  enum class Estimator { kOls, kRidge, kMinNorm };

  static FamilyDescriptor descriptor();
  LinearRegressionFamily(const Spec& truth, const Spec& model);

  const Model& truth() const { return truth_; }
  void sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const;
  void fit_samples(std::span<const Sample> xs, Model& out) const;
  void stats_of(std::span<const Sample> xs, Stats& out) const;  // a batch's statistics
  // fresh_mix(real_weight=w): weighted least squares (or ridge) with real rows weighted w, synthetic ones 1 - w
  void fit_weighted(const Stats& real, const Stats& synthetic, double real_weight, Model& out) const;
  void draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const;
  void merge(Stats& into, const Stats& from) const;
  void fit_stats(const Stats& s, Model& out) const;
  void metrics(const Model& m, std::span<double> out) const;
  void validate(const Regime& regime, const SampleSchedule& samples) const;
  std::optional<TheoryValue> theory(const TheoryQuery& q) const;
  nlohmann::json describe() const;

 private:
  Eigen::MatrixXd draw_rows(Rng& rng, std::int64_t m) const;
  double ridge_penalty(std::int64_t rows) const;  // lambda T (or T^{1 - ell}); 0 without ridge
  std::optional<double> chain_multiplier(const TheoryQuery& q) const;
  double fresh_chain_sum(const TheoryQuery& q) const;

  Eigen::Index d_ = 1;
  double sigma_ = 1;
  Eigen::VectorXd eig_, sqrt_eig_;  // the diagonal of Sigma and its square root
  std::string spectrum_kind_, w_kind_;
  double beta_ = 0, source_ = 0;
  std::int64_t w_seed_ = 0;
  Model truth_;
  Estimator estimator_ = Estimator::kOls;
  double lambda_ = 0;
  std::optional<double> lambda_exponent_;
  bool fixed_design_ = true;
  Eigen::MatrixXd test_x_;  // test_samples x d, drawn once from the truth stream
  std::int64_t downstream_samples_ = 0;
  double downstream_noise_ = 1;
  std::optional<double> downstream_lambda_exponent_;
  theory::RidgeEquivalent downstream_;
  double downstream_clean_ = 0;  // downstream_error of the truth: E_clean
  theory::ScheduleTable<double> fresh_table_;  // sum_j 1/(m_j - d - 1), fresh designs
};

}  // namespace ouro
