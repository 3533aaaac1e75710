#pragma once
// transformer_lm: a GPT-style transformer language model (libtorch) over sentences of a real corpus, retrained on
// its own sampled text (Gerstgrasser et al. 2024's language-model loop; Shumailov et al. 2024's fine-tuning loop
// with init = previous).
//
// Truth      a text corpus (text/corpus.hpp: plain text or Brown), split by document as for ngram
//            (text/dataset.hpp). train_sentences / heldout_sentences keep an evenly spaced subset of each side
//            (sentence i*N/M for i < M: every genre of Brown stays represented); 0 keeps all. The real training
//            text is the BPE tokenizer's training text (tokenizer.hpp) and, coded by it, the real sequences;
//            sentences longer than context - 1 tokens are dropped from both sides (describe() counts them).
//            Sampling from the truth gives real sentences exactly as for ngram: floor(n / N) copies of the N
//            sentences plus n mod N of them drawn without replacement.
// Model      gpt.hpp: layers, d_model, heads, context, dropout; AdamW (lr, weight_decay, batch, epochs or a fixed
//            number of steps, warm-up then cosine or constant); init = scratch (a new network each generation,
//            Gerstgrasser et al.) or previous (fine-tune model k-1; generation 1 starts from scratch).
// Sample     one sentence: the token ids after BOS up to EOS, at most context - 1 of them. A generated sequence
//            is decoded to text and encoded again, so every training sequence is the tokenizer's own encoding.
//            experiment.samples counts sentences; samples = "real" is the real training sentence count.
// Metrics    held-out (real text, fixed): cross_entropy in nats per token (EOS included), perplexity =
//            e^cross_entropy, bits_per_char = total nats / ln 2 / characters (Unicode code points of the held-out
//            sentences plus one per sentence for its end: comparable across tokenizers). train_loss: the mean
//            training loss of the fit's last 10% of steps. On the generation's training set (for replace: the
//            previous model's generated batch), at word level (the decoded text split at spaces): vocab_alive
//            (fraction of the real training vocabulary present), distinct_1/2/3 (distinct word n-grams over all
//            n-grams within sentences), mean_length (words per sentence), train_sentences (its size: the
//            regime's batch or pool). Generation 0 is the real training set:
//            its model metrics are NaN, its text metrics those of the real text.
// Items      the words of the real training vocabulary (forgetting.csv), as for ngram.
// Kernels    sample only.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "ouroboros/core/archive.hpp"
#include "ouroboros/core/rng.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/families/transformer_lm/gpt.hpp"

namespace ouro {

namespace lm {
class Tokenizer;

// The real text as the family uses it.
struct RealText {
  std::vector<std::string> words;  // the real training vocabulary: ids by decreasing count, ties in byte order
  std::vector<std::int64_t> word_counts;
  std::unordered_map<std::string, std::uint32_t> index;
  std::vector<std::string> train_lines;  // real training sequences (sentences or chunks), words joined by spaces
  std::vector<Tokens> train, heldout;    // coded by the tokenizer
  std::int64_t heldout_chars = 0;        // code points of the held-out sequences plus one per sequence
  std::int64_t dropped_train = 0, dropped_heldout = 0;  // longer than context - 1 tokens
};
}  // namespace lm

class TransformerLmFamily {
 public:
  using Sample = lm::Tokens;

  // Word-level statistics of a model's training set.
  struct TextStats {
    std::vector<std::int64_t> counts;  // per real-vocabulary word
    std::int64_t sentences = 0, words = 0;
    double distinct1 = 0, distinct2 = 0, distinct3 = 0;
    template <class A>
    void archive(A& a) {
      a(counts, sentences, words, distinct1, distinct2, distinct3);
    }
  };

  struct Model {
    std::shared_ptr<const lm::Gpt> net;  // null for the truth
    TextStats text;
    double train_loss = 0;
    template <class A>
    void archive(A& a) {
      std::string bytes;
      if constexpr (std::is_same_v<A, ArchiveWriter>)
        if (net) bytes = net->save();
      a(bytes, text, train_loss);
      if constexpr (std::is_same_v<A, ArchiveReader>) net = bytes.empty() ? nullptr : lm::Gpt::load(bytes);
    }
  };

  static FamilyDescriptor descriptor();
  TransformerLmFamily(const Spec& truth, const Spec& model);
  ~TransformerLmFamily();
  TransformerLmFamily(TransformerLmFamily&&) noexcept;

  const Model& truth() const { return truth_; }
  void sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const;
  void fit_samples(std::span<const Sample> xs, const FitContext<Model>& ctx, Model& out) const;
  void metrics(const Model& m, std::span<double> out) const { metrics(m, out, MetricMask{}); }
  // The held-out pass (a forward over every held-out sentence) only when a held-out metric is wanted.
  void metrics(const Model& m, std::span<double> out, const MetricMask& wanted) const;
  nlohmann::json describe() const;

  std::optional<std::int64_t> real_sample_size() const;
  std::size_t items() const;
  std::string item_label(std::size_t i) const;
  std::string sample_text(const Sample& x) const;  // the decoded text
  void forgotten(const Model& before, const Model& after, std::vector<std::uint32_t>& out) const;
  void item_counts(std::span<const Sample> xs, std::vector<double>& counts) const;
  double model_bytes() const;
  double sample_bytes() const { return 200; }

  // Exposed for tests.
  TextStats text_stats(std::span<const Sample> xs) const;
  const lm::Tokenizer& tokenizer() const { return *tokenizer_; }
  const lm::RealText& real() const { return *real_; }

 private:
  std::shared_ptr<const lm::Tokenizer> tokenizer_;
  std::shared_ptr<const lm::RealText> real_;
  lm::GptConfig gpt_;
  lm::TrainConfig train_;
  lm::SampleConfig sample_;
  bool warm_start_ = false;
  bool chunks_ = false;             // one sample: a chunk of consecutive sentences (else one sentence)
  std::int64_t prompt_tokens_ = 0;  // 0: sample from BOS; k: start from the first k tokens of a real sentence
  int threads_ = 1;
  nlohmann::json description_;
  Model truth_;
};

}  // namespace ouro
