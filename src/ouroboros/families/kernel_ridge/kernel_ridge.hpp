#pragma once
// kernel_ridge: kernel ridge regression on real images (Fashion-MNIST), relabelled by its own predictions.
//
// Truth      the real data: a pool of P = train_size training images and a held-out set of Q = test_size test
//            images, chosen uniformly without replacement (Stream::kTruth of subset_seed), pixels scaled to
//            [0, 1], with their real classes. Generation 0 labels every pool input with its one-hot class.
// Target     one-hot class scores: 10 outputs per image; the predicted class is the argmax (first on ties).
// Model      a function on the inputs, stored as its 10 scores at every pool input. As a generator it draws
//            n (input, label) pairs: inputs by the design, each label = the model's scores at that input plus
//            N(0, noise^2 I_10) (no noise on the real labels of generation 0):
//              fixed    : the same inputs every generation: a fitted model labels pool inputs 0, 1, ..., n-1,
//                         the truth (real labels) P-1, P-2, ..., P-n, both wrapping round the pool. With n = P
//                         every generation relabels the whole pool (the fixed design of Gerstgrasser et al.
//                         2024), and under fresh_mix the real and synthetic parts of a batch partition it.
//              resample : n inputs uniform with replacement from the pool (the empirical input law)
// Estimator  kernel ridge regression with the RBF kernel k(x, x') = exp(-|x - x'|^2 / (2 h^2)) on a training
//            set of T pairs (x_i, y_i): f(x) = sum_i k(x, x_i) alpha_i, alpha = (K + lambda T I)^(-1) Y,
//            i.e. the minimiser of (1/T) sum_i |f(x_i) - y_i|^2 + lambda |f|_H^2 (the lambda T normalisation
//            of Dohmatob et al. 2024). lambda is fixed, or adaptive lambda = T^(-l) (lambda_exponent).
// Kernels    (count c_j, label sum s_j) per pool input are sufficient: a training set with repeated inputs
//            gives the same f as the distinct inputs u with mean labels s_j / c_j and system
//            (K_uu + lambda T C^(-1)) beta = S C^(-1) (same minimiser, written per distinct input), so a fit
//            costs O(|u|^3) <= O(P^3) however large an accumulated pool grows. The statistics kernel draws
//            the counts (fixed: deterministic; resample: multinomial) and the sums exactly
//            (c_j f(x_j) + noise sqrt(c_j) Z). accumulate_subsample uses the sample kernel.
// Metrics    test_mse, test_error on the held-out real test set; train_drift on the pool (see descriptor).
// Exact facts [derived] with noise = 0, design = fixed and n = P, the smoother S = K (K + lambda P I)^(-1)
//            gives replace: F_k = S^k Y; accumulate: F_k = S mean(Y, F_1, ..., F_{k-1}) (tests check both).
// Theory     E[test_mse] and E[train_drift] exactly (kernel_theory.hpp) on the fixed design with n = P every
//            generation, lambda > 0 or lambda_exponent, under replace, grow and accumulate; none for
//            test_error (no closed form), design = resample, accumulate_subsample, fresh_mix or n != P.
// References Dohmatob, Feng, Kempe 2024 (kernel ridge regression on MNIST with iterated synthetic labels);
//            Gerstgrasser et al. 2024 (replace vs accumulate); Xiao, Rasul, Vollgraf 2017 (Fashion-MNIST).
//
// Parameters
//   truth: data (the Debian package's directory), train_size (1000), test_size (1000), subset_seed (0)
//   model: bandwidth = median | h > 0 (median), lambda >= 0 (0.0001) or lambda_exponent = l,
//          noise >= 0 (0), design = fixed | resample (fixed)
#include <array>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ouroboros/engine/family.hpp"
#include "ouroboros/core/rng.hpp"
#include "ouroboros/families/kernel_ridge/kernel_data.hpp"
#include "ouroboros/families/kernel_ridge/kernel_theory.hpp"

namespace ouro {

class KernelRidgeFamily {
 public:
  struct Model {
    Eigen::MatrixXd scores;  // P x 10: f at every pool input
    double test_mse = 0, test_error = 0, train_drift = 0;
    bool synthetic = false;  // labels drawn from it carry the label noise (the truth's do not)
    template <class A>
    void archive(A& ar) { ar(scores, test_mse, test_error, train_drift, synthetic); }  // checkpoints (core/archive.hpp)
  };
  struct Sample {
    std::uint32_t input = 0;  // index into the pool
    std::array<double, kKernelRidgeClasses> label{};
  };
  struct Stats {
    std::vector<std::int64_t> counts;  // per pool input; empty = no samples
    Eigen::MatrixXd sums;              // P x 10 label sums
    template <class A>
    void archive(A& ar) { ar(counts, sums); }  // checkpoints (core/archive.hpp)
  };

  static FamilyDescriptor descriptor();
  KernelRidgeFamily(const Spec& truth, const Spec& model);

  const Model& truth() const { return truth_; }
  // Size hints for the memory estimate: P x 10 scores; P counts and P x 10 label sums.
  double model_bytes() const { return 8.0 * static_cast<double>(truth_.scores.size()); }
  double stats_bytes() const { return 8.0 * static_cast<double>(truth_.scores.rows() + truth_.scores.size()); }
  void sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const;
  void fit_samples(std::span<const Sample> xs, Model& out) const;
  void stats_of(std::span<const Sample> xs, Stats& out) const;  // a batch's statistics
  void draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const;
  void merge(Stats& into, const Stats& from) const;
  void fit_stats(const Stats& s, Model& out) const;
  void metrics(const Model& m, std::span<double> out) const;
  std::optional<TheoryValue> theory(const TheoryQuery& q) const;
  nlohmann::json describe() const;
  // The pool of P real training images: n = P relabels the whole pool once per generation.
  std::optional<std::int64_t> real_sample_size() const { return train_size_; }

  const KernelData& data() const { return *data_; }
  double lambda_for(double training_size) const;  // the ridge lambda used on a training set of that size

 private:
  std::shared_ptr<const KernelData> data_;
  std::shared_ptr<const KernelRidgeTheory> theory_;  // shared by copies: one eigendecomposition per simulator
  Model truth_;
  std::string dir_;
  std::int64_t train_size_ = 0, test_size_ = 0, subset_seed_ = 0;
  double lambda_ = 0, lambda_exponent_ = 0, noise_ = 0;
  bool adaptive_ = false, resample_ = false, median_rule_ = true;
};

}  // namespace ouro
