#pragma once
// ngram: an n-gram language model over sentences of a real corpus, retrained on its own sampled text.
//
// Truth      a text corpus (text/corpus.hpp: Brown's tagged layout or plain text, tokenised as documented
//            there), split by document into training and held-out text (text/dataset.hpp). Generation 0 is the
//            model fitted on the whole training text; sampling from the truth gives real sentences: n draws are
//            floor(n / N) copies of the N training sentences plus n mod N of them drawn without replacement, so
//            n = N is exactly the training text (what the papers fit generation 1 on) and fresh_mix draws fresh
//            real sentences.
// Model      order 1..5, smoothing mle | add_k | kneser_ney (ngram_model.hpp gives the formulas). One sample is
//            one sentence; experiment.samples counts sentences.
// Sampling   whole sentences from <s> to </s>, cut after max_length words; temperature T reshapes each
//            next-word distribution to P^(1/T), exactly: mle at any T, add_k and kneser_ney at T <= 1 (by
//            rejection; above 1 a smoothed model's O(V) unseen words gain mass and exact tempering would cost
//            O(V) per token). Held-out metrics evaluate the untempered fitted model.
// Metrics    on the held-out text: cross_entropy in bits per token (every held-out token in the training
//            vocabulary, and </s>, predicted from its context; out-of-vocabulary tokens are not predicted and end
//            the context), evaluated on (1 - floor) P + floor / (V + 1) so that a zero probability stays finite;
//            perplexity = 2^cross_entropy; oov_rate = held-out words outside the training vocabulary (fixed by
//            the split). On the training set of the generation: vocab_alive (fraction of the original V words
//            present), vocab_size (their number), distinct_ngrams (of the model's order), tail_mass (share of the
//            word tokens that belong to words whose original count is <= tail_count), mean_length (words per
//            sentence).
// Items      the V words of the training vocabulary (forgetting.csv): a word is forgotten when it no longer
//            occurs in a generation's training set. Under mle that is final; add_k and kneser_ney can still
//            produce it, and forgetting.csv then keeps the last generation it disappeared.
// Kernels    sample only (there is no exact law for the next generation's n-gram counts).
// References Suresh, Thangaraj, Khandavally 2025 (bigram experiment); Gerstgrasser et al. 2024 (held-out
//            cross-entropy under replace and accumulate); Chen & Goodman 1998 (modified Kneser-Ney).
//
// Parameters
//   truth: corpus (path, required), format = plain | brown (plain), heldout_fraction (0.1, in (0, 1)),
//          lowercase (true), punctuation = keep | drop (keep), floor (0.001, in (0, 1)), tail_count (1, >= 1)
//   model: order (2, 1..5), smoothing = mle | add_k | kneser_ney (mle), k (1, > 0, add_k), temperature (1, > 0,
//          <= 1 unless mle), max_length (200, >= 1)
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "ouroboros/engine/family.hpp"
#include "ouroboros/core/rng.hpp"
#include "ouroboros/families/ngram/ngram_model.hpp"
#include "ouroboros/text/dataset.hpp"

namespace ouro {

class NgramFamily {
 public:
  struct Model {
    NgramModel table;
    std::shared_ptr<const std::vector<text::Sentence>> real;  // set on the truth only: its samples are real text
  };
  using Sample = text::Sentence;

  static FamilyDescriptor descriptor();
  NgramFamily(const Spec& truth, const Spec& model);

  const Model& truth() const { return truth_; }
  void sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const;
  void fit_samples(std::span<const Sample> xs, Model& out) const;
  void metrics(const Model& m, std::span<double> out) const { metrics(m, out, MetricMask{}); }
  // Skips the held-out cross-entropy pass unless cross_entropy or perplexity is wanted (both NaN then).
  void metrics(const Model& m, std::span<double> out, const MetricMask& wanted) const;
  nlohmann::json describe() const;

  std::optional<std::int64_t> real_sample_size() const { return static_cast<std::int64_t>(data_->train.size()); }
  std::size_t items() const { return data_->vocabulary.words.size(); }
  std::string item_label(std::size_t i) const { return data_->vocabulary.words[i]; }
  void forgotten(const Model& before, const Model& after, std::vector<std::uint32_t>& out) const;
  void item_counts(std::span<const Sample> xs, std::vector<double>& counts) const;

  // Held-out cross-entropy in bits per predicted token, with the floor (exposed for tests).
  double cross_entropy(const NgramModel& m) const;
  const text::TextDataset& data() const { return *data_; }

 private:
  std::shared_ptr<const text::TextDataset> data_;
  nlohmann::json corpus_description_;
  NgramConfig config_;
  std::int64_t max_length_ = 200;
  double floor_ = 1e-3;
  std::int64_t tail_count_ = 1;
  Model truth_;
};

}  // namespace ouro
