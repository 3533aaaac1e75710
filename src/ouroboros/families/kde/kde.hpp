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
// Theory     [derived, exact, any schedule] E[mean_k] = mean in every regime and bandwidth. Fixed h: the
// KDE's
//            variance V = var(centers, divisor n) + h^2 satisfies E[V_k] = ((m_k - 1)/m_k) E[V_{k-1}] + h^2,
//            V_0 = sd^2, under replace (m_k = n_k) and grow (m_k = k n_k); accumulate and fresh_mix by the
//            pooled-scatter recursions of theory/gaussian_chain.hpp (kde.cpp).
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

#include "ouroboros/engine/family.hpp"
#include "ouroboros/core/rng.hpp"
#include "ouroboros/theory/schedule_table.hpp"

namespace ouro {

class KdeFamily {
 public:
  struct Model {
    std::vector<double> centers;
    double bandwidth = 1;
    template <class A>
    void archive(A& ar) { ar(centers, bandwidth); }  // checkpoints (core/archive.hpp)
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
  // E[V_k], E[scatter_k] (accumulate), E[(mean_k - mu_0)^2] (fresh_mix) and the pool size N_k.
  struct Row {
    double variance = 0, scatter = 0, mean_sq = 0;
    std::int64_t pool = 0;
  };
  Row step(const Row& previous, const Regime& regime, const SampleSchedule& samples, std::int64_t j) const;

  Model truth_;
  Rule rule_ = Rule::kScott;
  double fixed_ = 0;
  theory::ScheduleTable<Row> table_;
};

}  // namespace ouro
