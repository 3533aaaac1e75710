#pragma once
// bs_staircase: the construction of Barzilai & Shamir (NeurIPS 2025), Theorem 5.2, in which iterative MLE
// climbs a "staircase" of intervals one step per round at most, and switches to a far-away spike alternative
// once a sample reaches the top step; the real data stays in the training set all along.
//
// Model      Steps j = 0, 1, 2, ...: step j is the interval [j, j+1). Two kinds of members:
//              staircase h_alpha, alpha = (alpha_0, alpha_1, ...), alpha_j in [0, 1/4]: step j with probability
//                (1 - alpha_j) prod_{k<j} alpha_k, uniform on [j, j + 1 - 2 alpha_j];
//              spike g_{beta,J} = 1/2 U[0, J] + 1/2 U[J - beta, J - beta + f(J)], J >= height an integer,
//                beta in [f(J), 1] (the spike lies in step J-1), f(J) = exp(-growth J).
//            The truth is U[0,1] (alpha = 0). TV(h_alpha, U[0,1]) = alpha_0; TV(g_{beta,J}, U[0,1]) = 1 - 1/(2J).
// Reconstruction (the paper's statement fixes only the shapes of h and g; these choices are ours):
//            the truth U[0,1]; steps indexed from 0; the spike alternatives exist for J >= `height` only (the
//            height of the staircase); f(J) = exp(-growth J); ties between alternatives go to the staircase;
//            a step with no sample at or above it gets alpha_j = 0 (the truth's value: under accumulate this is
//            the previous iterate's value, the paper's tie rule; under replace the two can differ).
// Estimator  exact MLE, in log space. With N_j samples in step j, S_j above it and m_j the largest in it:
//              log L(h_alpha) = sum_j N_j log((1 - alpha_j)/(1 - 2 alpha_j)) + S_j log alpha_j,
//            separable and non-decreasing in each alpha_j, so alpha_j = min(1/4, (j + 1 - m_j)/2) where
//            N_j > 0, 1/4 where only S_j > 0, and 0 above the data. The spike must sit in step J-1 and g must
//            cover the data, so J = max(height, F+1) with F the highest step holding data, and
//              log L(g) = -N log(2J) + K log(1 + J/f(J)),
//            K the most samples of step J-1 one window of width f(J) covers (one two-pointer sweep). The fit is
//            the better of the two; mu = J - beta starts the leftmost best window.
// Kernels    statistics (Stats): per-step counts and maxima, plus the samples of the highest step once it is
//            at least height-1 (distinct values with multiplicities: the spike's samples coincide when f
//            underflows). draw_stats draws the counts by conditional binomials and the maxima as
//            j + L U^(1/count), so a batch costs O(steps + samples in the top step), not O(n); pooling is
//            elementwise plus one linear merge of the top step. accumulate_subsample uses the sample kernel.
// Theory     [derived] Each model's samples lie at most one step above its training data, so model k
//            reaches step k-1 at most: Pr(switched at k) = 0 for k < height, in every regime. Under
//            accumulate (constant n), alpha_0 = min(1/4, (1 - M)/2), M the largest real sample, never changes
//            before the switch (synthetic step-0 samples stay below 1 - 2 alpha_0), and each synthetic sample
//            lands at or above step height-1 with probability prod_{j < height-1} alpha_j <= alpha_0 4^(2-height)
//            given the past. When the spike dominates (growth height > N log(3 height), N the pool size: then
//            any sample in step height-1 or above makes g win, since h's density is <= 3/2), hence
//              Pr(switched by k) <= 1 - E[(1 - alpha_0 4^(2-height))^(n (k-1))],
//            with equality for height 2; for height 2 also E[tv_k] exactly. E[tv_1] = E[alpha_0] in every
//            regime. Functions in theory/barzilai_shamir2025.hpp. (For height >= 3 all this holds up to the event
//            that a spike alternative with an empty spike beats h, which needs a sample of h-density below
//            (2J)^-N: probability of order n^2 6^-n, never seen in the tests.)
//
// Parameters
//   truth: none (U[0,1])
//   model: height (3, integer >= 2), growth (1e6, >= 0)
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "ouroboros/engine/family.hpp"
#include "ouroboros/core/rng.hpp"

namespace ouro {

class BsStaircaseFamily {
 public:
  struct Model {
    std::vector<double> alpha{0.0};  // staircase: alpha_0..alpha_F (alpha_j = 0 above); empty for a spike
    std::int64_t top = 0;            // spike: J (its uniform part is U[0, J]); 0 for a staircase
    double mu = 0;                   // spike: its left end J - beta
    double log_f = 0;                // spike: log f(J)
    bool spike() const { return top > 0; }
    template <class A>
    void archive(A& ar) { ar(alpha, top, mu, log_f); }  // checkpoints (core/archive.hpp)
  };
  using Sample = double;
  struct Stats {
    std::vector<std::int64_t> count;  // samples in step j; the last entry is > 0 (empty: no samples)
    std::vector<double> max;          // the largest sample in step j (unused where count is 0)
    // The samples of the highest step when it is >= height-1 (else empty): ascending distinct values with
    // their multiplicities.
    std::vector<std::pair<double, std::int64_t>> top;
    template <class A>
    void archive(A& ar) { ar(count, max, top); }  // checkpoints (core/archive.hpp)
  };

  static FamilyDescriptor descriptor();
  BsStaircaseFamily(const Spec& truth, const Spec& model);

  const Model& truth() const { return truth_; }
  void sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const;
  void fit_samples(std::span<const Sample> xs, Model& out) const;
  void draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const;
  void merge(Stats& into, const Stats& from) const;
  void fit_stats(const Stats& s, Model& out) const;
  void metrics(const Model& m, std::span<double> out) const;
  std::optional<TheoryValue> theory(const TheoryQuery& q) const;
  nlohmann::json describe() const;

  std::int64_t height() const { return height_; }
  double log_f(std::int64_t top) const { return -growth_ * static_cast<double>(top); }
  // The summaries of a sample set (the statistics kernel's Stats, built directly from the samples).
  void stats_of(std::span<const Sample> xs, Stats& out) const;
  // log L(model; xs), evaluated sample by sample from the density; -inf where the model gives 0.
  double log_likelihood(const Model& m, std::span<const Sample> xs) const;

 private:
  Model truth_;
  std::int64_t height_ = 3;
  double growth_ = 1e6;
};

}  // namespace ouro
