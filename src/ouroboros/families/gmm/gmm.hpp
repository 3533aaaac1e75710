#pragma once
// gmm: a mixture of k Gaussians in d dimensions, fitted by EM (Shumailov et al. 2024's GMM experiments).
//
// Truth      k equal-weight components with covariance sd^2 I; component j's mean is
//            separation * (cos(2 pi j/k), sin(2 pi j/k), 0, ...) for d >= 2, and separation * (j - (k-1)/2)
//            for d = 1.
// Estimator  EM with full covariances, each regularised by adding reg * I (reg = 1e-6, as scikit-learn's
//            reg_covar). Initialisation (`init`): farthest (default, deterministic) seeds the means by
//            farthest-point seeding, starting from the sample nearest the sample mean; random draws k-means++
//            seeds (Arthur & Vassilvitskii 2007) from the fit's own random stream (FitContext); every sample
//            goes to its nearest seed for the initial weights and covariances. previous starts EM from the
//            previous generation's model (a warm start; at generation 1 that is the truth, used only when it has
//            as many components as are fitted, else farthest). Stopping: the
//            mean log-likelihood per sample improves by less than `tol` (1e-6), or `max_iter` (200)
//            iterations. A fit that hits max_iter is reported by the `converged` metric, never dropped.
// Kernels    sample only.
//
// Parameters
//   truth: k (2), d (1), separation (4), sd (1, > 0)
//   model: components (the truth's k), max_iter (200), tol (1e-6, > 0), init (farthest | random | previous)
#include <Eigen/Dense>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "ouroboros/engine/family.hpp"
#include "ouroboros/engine/fit_context.hpp"
#include "ouroboros/core/rng.hpp"

namespace ouro {

class GmmFamily {
 public:
  struct Component {
    double weight = 1;
    Eigen::VectorXd mean;
    Eigen::MatrixXd cov;
    Eigen::MatrixXd chol;  // lower Cholesky factor of cov
    template <class A>
    void archive(A& ar) { ar(weight, mean, cov, chol); }  // checkpoints (core/archive.hpp)
  };
  struct Model {
    std::vector<Component> components;
    bool converged = true;
    int iterations = 0;
    template <class A>
    void archive(A& ar) { ar(components, converged, iterations); }  // checkpoints (core/archive.hpp)
  };
  using Sample = Eigen::VectorXd;

  static FamilyDescriptor descriptor();
  GmmFamily(const Spec& truth, const Spec& model);

  const Model& truth() const { return truth_; }
  // Size hint for the memory estimate: a sample is a heap vector of d doubles.
  double sample_bytes() const { return sizeof(Sample) + 16.0 + 8.0 * d_; }
  void sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const;
  void fit_samples(std::span<const Sample> xs, Model& out) const;  // init = farthest only
  void fit_samples(std::span<const Sample> xs, const FitContext<Model>& ctx, Model& out) const;
  void metrics(const Model& m, std::span<double> out) const;
  void validate(const Regime& regime, const SampleSchedule& samples) const;
  nlohmann::json describe() const;

  // Mean log-likelihood per sample of a fitted model (for tests: EM never decreases it).
  static double mean_log_likelihood(const Model& m, std::span<const Sample> xs);

 private:
  Model truth_;
  int d_ = 1;
  int components_ = 2;
  int max_iter_ = 200;
  double tol_ = 1e-6;
  enum class Init { kFarthest, kRandom, kPrevious } init_ = Init::kFarthest;

  std::vector<std::size_t> farthest_seeds(std::span<const Sample> xs) const;
  std::vector<std::size_t> random_seeds(std::span<const Sample> xs, Rng& rng) const;
  void seed_components(std::span<const Sample> xs, const std::vector<std::size_t>& seeds, Model& out) const;
  void em(std::span<const Sample> xs, Model& out, const CancelToken* cancel, const FitContext<Model>* ctx) const;
};

}  // namespace ouro
