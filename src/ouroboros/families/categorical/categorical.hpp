#pragma once
// categorical: a distribution over m symbols.
//
// Model      P(X = i) = p_i, i = 1..m.
// Estimators mle          : p_i = N_i / n (empirical frequencies; a symbol with N_i = 0 is forgotten for good)
//            add_constant : p_i = (N_i + beta) / (n + m beta) (no symbol is ever forgotten)
// Statistics the count vector N. Exact draw: Multinomial(n, p) by conditional binomials over the symbols
//            still alive only, so extinct symbols cost nothing; pools add counts; a subsample of a pool is a
//            multivariate hypergeometric draw on the pooled counts.
// Truth      dist = zipf (p_i proportional to 1/(i+b)^a, i = 1..m), uniform (p_i = 1/m), explicit (p = [...],
//            must sum to 1 within 1e-9), or counts (file = path: one `count` or `symbol count` per line,
//            blank lines and lines starting with # ignored; p_i proportional to the counts), or corpus
//            (corpus = path: p_i = count of word i / number of words in the training documents, the corpus
//            read, tokenised and split by document exactly as for the ngram family; symbols are the words,
//            by decreasing count).
// References Suresh, Thangaraj, Khandavally (AISTATS 2025), Sec. 4 and Corollary 1.
//
// Parameters
//   truth: dist (inferred from p, file or corpus when omitted), m, a (1), b (0), p, file, corpus,
//          format = plain | brown (plain), heldout_fraction (0.1), lowercase (true), punctuation = keep | drop
//   model: estimator = mle | add_constant (mle), beta (0.5, > 0, add_constant only)
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ouroboros/engine/family.hpp"
#include "ouroboros/core/rng.hpp"
#include "ouroboros/theory/suresh2025.hpp"

namespace ouro {

class CategoricalFamily {
 public:
  struct Model {
    std::vector<double> p;             // size m, zero outside `alive`
    std::vector<std::uint32_t> alive;  // symbols with p_i > 0
    template <class A>
    void archive(A& ar) { ar(p, alive); }  // checkpoints (core/archive.hpp)
  };
  using Sample = std::uint32_t;
  struct Stats {
    std::vector<std::int64_t> counts;    // size m, zero outside `support`
    std::vector<std::uint32_t> support;  // symbols with a positive count
    std::int64_t total = 0;
    template <class A>
    void archive(A& ar) { ar(counts, support, total); }  // checkpoints (core/archive.hpp)
  };

  static FamilyDescriptor descriptor();
  CategoricalFamily(const Spec& truth, const Spec& model);

  const Model& truth() const { return truth_; }
  // Size hints for the memory estimate (engine/family_traits.hpp): m probabilities and ids, m counts and ids.
  double model_bytes() const { return 12.0 * static_cast<double>(truth_.p.size()); }
  double stats_bytes() const { return 12.0 * static_cast<double>(truth_.p.size()); }
  void sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const;
  void fit_samples(std::span<const Sample> xs, Model& out) const;
  void stats_of(std::span<const Sample> xs, Stats& out) const;  // a batch's statistics
  // fresh_mix(real_weight=w): the fit with real samples weighted w, synthetic ones 1 - w (regime.hpp)
  void fit_weighted(const Stats& real, const Stats& synthetic, double real_weight, Model& out) const;
  void draw_stats(const Model& m, std::int64_t n, Rng& rng, Stats& out) const;
  void merge(Stats& into, const Stats& from) const;
  void subsample_stats(const Stats& pool, std::int64_t n, Rng& rng, Stats& out) const;
  void fit_stats(const Stats& s, Model& out) const;
  void metrics(const Model& m, std::span<double> out) const { metrics(m, out, MetricMask{}); }
  // Skips the logarithms of unwanted metrics (their entries hold NaN).
  void metrics(const Model& m, std::span<double> out, const MetricMask& wanted) const;
  std::optional<TheoryValue> theory(const TheoryQuery& q) const;
  nlohmann::json describe() const;

  // The total count of a counts-file or corpus truth (the real sample behind it); nullopt otherwise.
  std::optional<std::int64_t> real_sample_size() const;
  std::size_t items() const { return truth_.p.size(); }
  std::string item_label(std::size_t i) const { return labels_.empty() ? std::to_string(i + 1) : labels_[i]; }
  // The MLE with one symbol left: every sample is that symbol, and N_i / n = 1 (add_constant has no fixed point).
  bool is_fixed_point(const Model& m) const { return !add_constant_ && m.alive.size() == 1; }
  void forgotten(const Model& before, const Model& after, std::vector<std::uint32_t>& out) const;
  void item_counts(std::span<const Sample> xs, std::vector<double>& counts) const;
  void item_counts_stats(const Stats& s, std::vector<double>& counts) const;

 private:
  void reset(Stats& s) const;

  Model truth_;
  std::size_t truth_support_ = 0;
  theory::ProbabilityRuns truth_runs_;  // the truth for Corollary 1's column, checked once
  std::vector<std::string> labels_;  // from a counts file with symbols or a corpus; empty otherwise
  nlohmann::json truth_description_;
  bool add_constant_ = false;
  double beta_ = 0.5;
};

}  // namespace ouro
