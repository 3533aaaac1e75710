#pragma once
// A fitted n-gram model over an integer-coded vocabulary: the count tables, the smoothed next-token
// probability and exact sentence sampling.
//
// Tokens     words 0..V-1, </s> = V (predicted), <s> = V+1 (context only, once at the start of a sentence).
//            The context of the token at position i is the min(order - 1, i) tokens before it, <s> included:
//            a sentence is padded with one <s>, so sentence-initial n-grams are shorter (for MLE this equals
//            NLTK's padding with order - 1 copies of <s>).
// Storage    a trie of contexts read backwards (each node is a context; its child under token t is the context
//            one token longer, t preceding it), keyed by (node << 32 | token) in a flat hash map, so one walk
//            from the most recent token finds every suffix context. Each node's successors are a CSR slice of
//            (token, count) sorted by token, with cumulative sampling weights for binary-search sampling.
// Counts     a(h, w): the raw count c(h w), except for Kneser-Ney at a context shorter than order - 1 that does
//            not start with <s>, where a(h, w) = N1+(. h w), the number of distinct tokens seen before h w.
// Smoothing  P(w | h) over the V + 1 predicted tokens:
//   mle        a(h w) / a(h .), h the longest context seen in training (a shorter one when the full context was
//              never seen: a convention, since c(h) = 0 leaves the MLE undefined).
//   add_k      (c(h w) + k) / (c(h .) + k (V + 1)), h the full context; uniform when h was never seen.
//   kneser_ney interpolated, with modified discounts D1, D2, D3+ per order from the count-of-counts n1..n4 of
//              that order's a (Chen & Goodman 1998): Y = n1 / (n1 + 2 n2), D1 = 1 - 2Y n2/n1,
//              D2 = 2 - 3Y n3/n2, D3+ = 3 - 4Y n4/n3, each clamped to [0, i] (i/2 when undefined, e.g. n2 = 0).
//              P(w | h) = max(a(h w) - D, 0) / a(h .) + gamma(h) P(w | h'), gamma(h) = (D1 N1(h.) + D2 N2(h.)
//              + D3+ N3+(h.)) / a(h .), h' = h without its oldest token, the empty context interpolating with
//              the uniform 1 / (V + 1); contexts never seen pass straight to h'.
// Sampling   exact for each smoothing: mle by inverting the cumulative counts; add_k as the mixture of the
//            counts (weight c(h .)) and the uniform (weight k (V + 1)); kneser_ney level by level (the
//            discounted counts with probability sum(a - D) / a(h .), otherwise the shorter context).
// Temperature T: P_T(w | h) proportional to P(w | h)^(1/T). mle: exactly, from cumulative weights a(h w)^(1/T)
//            over the successors of h. add_k and kneser_ney (T < 1 only): by rejection from the untempered
//            sampler (ngram_model.cpp gives the proof and the bound), so T = 1 draws exactly as before.
#include <cstdint>
#include <span>
#include <vector>

#include "ouroboros/core/rng.hpp"
#include "ouroboros/families/ngram/flat_map.hpp"
#include "ouroboros/text/dataset.hpp"

namespace ouro {

enum class Smoothing { kMle, kAddK, kKneserNey };

struct NgramConfig {
  int order = 2;  // 1..5
  Smoothing smoothing = Smoothing::kMle;
  double k = 1;            // add_k
  double temperature = 1;  // sampling only; <= 1 unless mle
  std::uint32_t vocab = 0;  // V
};

class NgramModel {
 public:
  static constexpr int kMaxOrder = 5;

  void fit(const NgramConfig& config, std::span<const text::Sentence> sentences);

  // P(token | the sentence so far), `prefix` being the words already in the sentence (without <s>); token in
  // 0..V (V = </s>). Prefix words outside the vocabulary (text::Vocabulary::kUnknown) end the context.
  double probability(std::span<const std::uint32_t> prefix, std::uint32_t token) const;
  // Appends one sentence's words (without </s>) to `out`; the sentence stops at </s> or after max_length words.
  // Returns the number of proposals drawn: the tokens drawn (</s> included), plus the rejected proposals of a
  // smoothed model at T < 1.
  std::int64_t sample_sentence(Rng& rng, std::int64_t max_length, text::Sentence& out) const;

  const NgramConfig& config() const { return cfg_; }
  // Raw training count of each word and of </s> (index V).
  const std::vector<std::int64_t>& token_counts() const { return token_count_; }
  std::int64_t words() const { return words_; }
  std::int64_t sentences() const { return sentences_; }
  // Distinct n-grams of the model's order in the padded training text (including those ending in </s>).
  std::int64_t distinct_ngrams() const { return distinct_top_; }
  double discount(int order, int count) const;  // D1, D2, D3+ of an order (1-based), count 1, 2 or >= 3

 private:
  std::uint32_t eos() const { return cfg_.vocab; }
  std::uint32_t bos() const { return cfg_.vocab + 1; }
  // Fills chain[0..depth] with the context nodes of the next token (chain[0] the empty context) and returns the
  // depth of the longest context seen in training; `available` gets min(order - 1, prefix length + 1).
  int walk(std::span<const std::uint32_t> prefix, std::uint32_t* chain, int& available) const;
  // P(token | h) and the bound M(h) >= max_w P(w | h) (tempered add_k and kneser_ney only), h given by walk()'s
  // chain, depth and available.
  double smoothed(const std::uint32_t* chain, int depth, int available, std::uint32_t token) const;
  double bound(const std::uint32_t* chain, int depth, int available) const;
  std::uint32_t propose(Rng& rng, const std::uint32_t* chain, int depth, int available) const;  // untempered
  std::uint32_t find(std::uint32_t node, std::uint32_t token) const;  // entry index, or FlatMap64::kMissing
  std::uint32_t draw_in(std::uint32_t node, double u) const;          // token at cumulative weight u
  std::uint32_t uniform_token(Rng& rng) const;
  void build_tables(std::vector<std::uint64_t>& keys);

  NgramConfig cfg_;
  FlatMap64 children_;                  // (node << 32 | token) -> child node
  std::vector<std::uint32_t> parent_;   // per node
  std::vector<std::uint8_t> depth_;     // per node
  std::vector<std::uint8_t> bos_ctx_;   // per node: the context starts with <s>
  std::vector<std::uint32_t> begin_;    // per node + 1: CSR offsets into the entries
  std::vector<double> total_;           // per node: a(h .)
  std::vector<std::uint32_t> token_;    // per entry, sorted by token within a node
  std::vector<std::uint32_t> count_;    // per entry: a(h w)
  std::vector<double> cum_;             // per entry: cumulative sampling weight within its node
  std::vector<double> peak_;            // per node, when tempering add_k or kneser_ney: M(h) >= max_w P(w | h)
  std::vector<std::int64_t> token_count_;
  std::int64_t words_ = 0, sentences_ = 0, distinct_top_ = 0;
  double discount_[kMaxOrder][3] = {};
  std::vector<std::uint64_t> keys_;  // scratch for fit, kept to reuse its memory
};

}  // namespace ouro
