#pragma once
// gmm_symmetric: the symmetric two-component mixture 1/2 N(mu, sigma^2) + 1/2 N(-mu, sigma^2).
//
// Estimators (from the n samples' m1 = mean|y| and m2 = mean(y^2); Suresh et al. 2025):
//   approximate : Suresh et al.'s approximate joint ML with eta = 2, as in the authors' code:
//                 c = (eta-1)((n-1)/2 + 4 eta) / (eta (n-1)(n + 4 eta - 1)), kappa = e^c - 1,
//                 s2 = m2 - m1^2, a = 2(1+kappa) m2 / (m2 - (1+kappa) m1^2) (a = inf when that denominator is
//                 <= 0), sigma^2 = a m2 s2 / (a m1^2 + 2 m2) if m2 <= (2a/(a-2)) m1^2 else m2 (with a = inf:
//                 m2 s2 / m1^2 if m2 <= 2 m1^2), mu = sqrt(m2 - sigma^2).
//   joint       : the joint maximum-likelihood estimate, numerically. At the joint maximum sigma^2 = m2 - mu^2
//                 (the sigma^2 score equation given the mu one), so the maximum of the likelihood along that
//                 curve is the global one: Brent's method (Boost.Math) over log sigma in [log(sd|y|/100),
//                 log sqrt(m2)], which resolves sigma to ~1e-8 relative at any scale; all |y| equal gives sigma = 0.
// Kernels    sample only (no finite sufficient statistic for sampling the next generation's estimate).
// References Suresh, Thangaraj, Khandavally (AISTATS 2025), Theorem 4 (approximate joint ML):
//            Pr(Sigma_k > eps) <= (sigma0/eps) exp(-k/(4n)).
//
// Parameters
//   truth: mu (1, >= 0), sigma (1, > 0)
//   model: estimator = approximate | joint (approximate)
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <vector>

#include "ouroboros/engine/family.hpp"
#include "ouroboros/core/rng.hpp"

namespace ouro {

class GmmSymmetricFamily {
 public:
  struct Model {
    double mu = 1;
    double sigma = 1;
  };
  using Sample = double;

  static FamilyDescriptor descriptor();
  GmmSymmetricFamily(const Spec& truth, const Spec& model);

  const Model& truth() const { return truth_; }
  void sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const;
  void fit_samples(std::span<const Sample> ys, Model& out) const;
  void metrics(const Model& m, std::span<double> out) const;
  void validate(const Regime& regime, const SampleSchedule& samples) const;
  std::optional<TheoryValue> theory(const TheoryQuery& q) const;
  nlohmann::json describe() const;

  // The two estimators, exposed for tests.
  static Model approximate_joint_ml(std::span<const double> ys);
  static Model joint_ml(std::span<const double> ys);
  static double log_likelihood(const Model& m, std::span<const double> ys);

 private:
  Model truth_;
  bool joint_ = false;
};

}  // namespace ouro
