#pragma once
// kde: a 1-D Gaussian kernel density estimate, p(x) = (1/m) sum_j N(x; c_j, h^2).
//
// Model      centers c_1..c_m and a bandwidth h. Sampling is exact: a center drawn uniformly plus N(0, h^2).
// Truth      one center at `mean` with h = `sd`: exactly N(mean, sd^2).
// Estimator  the centers are the training samples; the bandwidth is
//              scott     : h = s n^(-1/5), s the sample sd with divisor n - 1 (as scipy.stats.gaussian_kde)
//              silverman : h = 0.9 min(s, IQR / 1.34) n^(-1/5) (Silverman 1986, eq. 3.31; IQR by linear
//                          interpolation between order statistics)
//              a number  : that fixed h (> 0)
// Kernels    sample only: the model is its training set.
// Theory     [derived] fixed h, replace: the KDE's variance V = var(centers, divisor n) + h^2 satisfies
//            E[V_k] = ((n - 1)/n) E[V_{k-1}] + h^2, V_0 = sd^2.
// References Fu et al. on kernel density estimation loops; Gerstgrasser et al.'s follow-up KDE loop.
//
// Parameters
//   truth: mean (0), sd (1, > 0)
//   model: bandwidth = scott | silverman | h > 0 (scott)
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <vector>

#include "ouroboros/core/family.hpp"
#include "ouroboros/core/rng.hpp"

namespace ouro {

class KdeFamily {
 public:
  struct Model {
    std::vector<double> centers;
    double bandwidth = 1;
  };
  using Sample = double;

  static FamilyDescriptor descriptor();
  KdeFamily(const Spec& truth, const Spec& model);

  const Model& truth() const { return truth_; }
  void sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const;
  void fit_samples(std::span<const Sample> xs, Model& out) const;
  void metrics(const Model& m, std::span<double> out) const;
  void validate(const Regime& regime, const SampleSchedule& samples) const;
  std::optional<TheoryValue> theory(const TheoryQuery& q) const;
  nlohmann::json describe() const;

  enum class Rule { kScott, kSilverman, kFixed };

 private:
  Model truth_;
  Rule rule_ = Rule::kScott;
  double fixed_ = 0;
};

}  // namespace ouro
