#include "ouroboros/families/transformer_lm/transformer_lm.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <unordered_set>

#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/simulator_for.hpp"
#include "ouroboros/families/common/corpus_params.hpp"
#include "ouroboros/families/common/real_draws.hpp"
#include "ouroboros/families/common/blas_check.hpp"
#include "ouroboros/families/transformer_lm/tokenizer.hpp"
#include "ouroboros/text/corpus.hpp"
#include "ouroboros/text/dataset.hpp"

namespace ouro {

namespace {

std::vector<ParamInfo> truth_params() {
  std::vector<ParamInfo> params = corpus_params("path to the corpus: a directory of documents or one text file");
  params.push_back(param::integer("train_sentences", "0",
                                  "keep an evenly spaced subset of this many training sentences (0: all)").at_least(0));
  params.push_back(param::integer("heldout_sentences", "0",
                                  "keep an evenly spaced subset of this many held-out sentences (0: all)").at_least(0));
  return params;
}
const std::vector<ParamInfo> kTruthParams = truth_params();
const std::vector<ParamInfo> kModelParams{
    param::integer("vocab", "4096", "BPE vocabulary size, <unk> <s> </s> included").at_least(8),
    param::integer("layers", "2", "transformer blocks").at_least(1),
    param::integer("d_model", "128", "width of the residual stream (a multiple of heads)").at_least(8),
    param::integer("heads", "4", "attention heads").at_least(1),
    param::integer("context", "64", "positions, <s> included: a sequence keeps at most context - 1 tokens").at_least(4),
    param::word("sequence", {"sentence", "chunk"}, "sentence",
                "one sample: a sentence, or consecutive sentences of a document packed into context - 1 tokens"),
    param::number("dropout", "0", "dropout rate (attention weights, residual branches, embeddings)").at_least(0).below(1),
    param::positive("lr", "0.003", "AdamW peak learning rate"),
    param::number("weight_decay", "0.1", "AdamW decoupled weight decay (weight matrices and embeddings)").at_least(0),
    param::number("clip", "1", "clip the gradient's global norm to this (0: no clipping)").at_least(0),
    param::integer("batch", "32", "sequences per optimiser step").at_least(1),
    param::integer("epochs", "4", "passes over the generation's training set (when steps = 0)").at_least(1),
    param::integer("steps", "0", "a fixed number of optimiser steps per generation instead of epochs (0: epochs)").at_least(0),
    param::integer("warmup", "30", "linear learning-rate warm-up steps").at_least(0),
    param::word("schedule", {"cosine", "constant"}, "cosine", "after warm-up: cosine decay to 0, or constant"),
    param::word("init", {"scratch", "previous"}, "scratch",
                "scratch: a new network each generation; previous: fine-tune model k-1"),
    param::word("prompt", {"bos", "real"}, "bos",
                "bos: sample from <s>; real: continue the first prompt_tokens tokens of a random real training sequence"),
    param::integer("prompt_tokens", "8", "tokens of a real sequence given as the prompt (prompt = real)").at_least(1),
    param::positive("temperature", "1", "sampling temperature"),
    param::integer("top_k", "0", "sample among the k most likely tokens (0: all)").at_least(0),
    param::number("top_p", "1", "nucleus sampling: the most likely tokens holding this mass (1: all)").above(0).at_most(1),
    param::number("repetition_penalty", "1",
                  "divide (multiply when negative) the logits of tokens already in the sequence by this (1: off)").above(0),
    param::integer("beams", "1", "1: sampling; b > 1: beam search with b beams per sequence (needs prompt = real)").at_least(1),
    param::integer("sample_batch", "256", "sequences sampled at once (rows: a sequence takes `beams` rows)").at_least(1),
    param::integer("threads", "1", "libtorch intra-op threads per chain").at_least(1),
    param::word("device", {"cpu", "cuda"}, "cpu", "where the network runs (cuda: a CUDA build of libtorch)"),
};
enum Metric {
  kCrossEntropy, kPerplexity, kBitsPerChar, kTrainLoss, kVocabAlive, kDistinct1, kDistinct2, kDistinct3, kMeanLength,
  kTrainSentences
};

// An evenly spaced subset: element floor(i N / m) for i < m (all when m == 0 or m >= N).
template <class T>
std::vector<T> spread(std::vector<T> all, std::int64_t m) {
  const auto n = static_cast<std::int64_t>(all.size());
  if (m == 0 || m >= n) return all;
  std::vector<T> out;
  out.reserve(static_cast<std::size_t>(m));
  for (std::int64_t i = 0; i < m; ++i) out.push_back(std::move(all[static_cast<std::size_t>(i * n / m)]));
  return out;
}

// A sentence of the corpus and the document it comes from.
struct Line {
  std::size_t document;
  std::string text;  // words joined by single spaces
};

// The training or held-out sequences, coded, and their text.
struct Sequences {
  std::vector<lm::Tokens> ids;
  std::vector<std::string> text;
  std::int64_t dropped = 0;  // sentences longer than the limit
};

// One sequence per sentence, or (chunks) runs of consecutive sentences of a document packed greedily into at most
// `limit` tokens. A sentence longer than `limit` tokens is dropped (and ends a chunk). A chunk's ids are its
// sentences' codes one after another, which is the code of its text (the tokenizer splits at spaces and gives each
// word its space prefix; a test checks it).
Sequences sequences(const std::vector<Line>& lines, bool chunks, const lm::Tokenizer& tokenizer, std::size_t limit) {
  Sequences out;
  lm::Tokens ids;
  std::string text;
  std::size_t document = 0;
  const auto flush = [&] {
    if (ids.empty()) return;
    out.ids.push_back(std::move(ids));
    out.text.push_back(std::move(text));
    ids.clear();
    text.clear();
  };
  for (const auto& line : lines) {
    auto code = tokenizer.encode(line.text);
    if (code.size() > limit) {
      ++out.dropped;
      flush();
      continue;
    }
    if (!chunks || line.document != document || ids.size() + code.size() > limit) flush();
    document = line.document;
    if (!text.empty()) text += ' ';
    text += line.text;
    ids.insert(ids.end(), code.begin(), code.end());
  }
  flush();
  return out;
}

std::string join(const text::WordSentence& words) {
  std::string s;
  for (const auto& w : words) {
    if (!s.empty()) s += ' ';
    s += w;
  }
  return s;
}

std::int64_t code_points(std::string_view s) {
  return std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

FamilyDescriptor TransformerLmFamily::descriptor() {
  FamilyDescriptor d;
  d.name = "transformer_lm";
  d.summary = "GPT-style transformer language model (libtorch, BPE tokens) on a real corpus; one sample is one sentence, or a chunk of sentences";
  d.truth_params = kTruthParams;
  d.model_params = kModelParams;
  d.estimators = {"adamw"};
  static constexpr MetricDecl<Metric> kList[]{
      {kCrossEntropy, "cross_entropy", "held-out real text: nats per token (</s> included)"},
      {kPerplexity, "perplexity", "e^cross_entropy"},
      {kBitsPerChar, "bits_per_char", "held-out nats / ln 2 / characters (one per sequence end included)"},
      {kTrainLoss, "train_loss", "mean training loss of the fit's last 10% of steps, nats per token"},
      {kVocabAlive, "vocab_alive", "fraction of the real training vocabulary present in the training set"},
      {kDistinct1, "distinct_1", "distinct words / words in the training set"},
      {kDistinct2, "distinct_2", "distinct word bigrams / bigrams (within sequences) in the training set"},
      {kDistinct3, "distinct_3", "distinct word trigrams / trigrams (within sequences) in the training set"},
      {kMeanLength, "mean_length", "mean sequence length of the training set, in words"},
      {kTrainSentences, "train_sentences", "sequences (sentences or chunks) in the generation's training set (the regime's batch or pool)"},
  };
  static_assert(metrics_in_order(kList));
  d.metrics = metric_infos(kList);
  d.kernels = "sample kernel only (sentences are sampled from the network)";
  d.resources = ResourceHint{.heavy = true, .max_chains = 0};
  return d;
}

TransformerLmFamily::~TransformerLmFamily() = default;
TransformerLmFamily::TransformerLmFamily(TransformerLmFamily&&) noexcept = default;

TransformerLmFamily::TransformerLmFamily(const Spec& truth, const Spec& model) {
  const std::string what = "truth.family: transformer_lm";
  SpecReader t(truth, what, kTruthParams);
  const CorpusParams corpus = read_corpus_params(t, what);
  const std::int64_t train_sentences = t.integer("train_sentences");
  const std::int64_t heldout_sentences = t.integer("heldout_sentences");
  t.finish();

  SpecReader m(model, "model.family: transformer_lm", kModelParams);
  const auto vocab = m.integer("vocab");
  gpt_.layers = m.integer("layers");
  gpt_.d_model = m.integer("d_model");
  gpt_.heads = m.integer("heads");
  if (gpt_.d_model % gpt_.heads != 0)
    m.fail("d_model", fmt::format("must be a multiple of heads ({})", gpt_.heads));
  gpt_.context = m.integer("context");
  gpt_.dropout = m.number("dropout");
  train_.lr = m.number("lr");
  train_.weight_decay = m.number("weight_decay");
  train_.clip = m.number("clip");
  train_.batch = m.integer("batch");
  train_.epochs = m.integer("epochs");
  train_.steps = m.integer("steps");
  train_.warmup = m.integer("warmup");
  train_.schedule = m.word("schedule") == "cosine" ? lm::Schedule::kCosine : lm::Schedule::kConstant;
  warm_start_ = m.word("init") == "previous";
  if (m.word("prompt") == "real") prompt_tokens_ = m.integer("prompt_tokens");
  sample_.temperature = m.number("temperature");
  sample_.top_k = m.integer("top_k");
  sample_.top_p = m.number("top_p");
  sample_.repetition_penalty = m.number("repetition_penalty");
  sample_.beams = m.integer("beams");
  if (sample_.beams > 1) {
    if (prompt_tokens_ == 0)
      m.fail("beams", "beam search is deterministic: from <s> every sequence would be the same (use prompt = real)");
    if (sample_.temperature != 1.0 || sample_.top_k != 0 || sample_.top_p != 1.0)
      m.fail("beams", "beam search samples nothing: temperature, top_k and top_p apply to sampling (beams = 1) only");
  }
  sample_.batch = m.integer("sample_batch");
  chunks_ = m.word("sequence") == "chunk";
  threads_ = static_cast<int>(m.integer("threads"));
  gpt_.cuda = m.word("device") == "cuda";
  if (gpt_.cuda && !lm::Gpt::cuda_available())
    m.fail("device", "cuda, but the libtorch in use has no CUDA device (Debian's libtorch-dev is CPU-only: build "
                     "against a CUDA build of libtorch, or use device=cpu)");
  m.finish();

  // The corpus, split by document as text/dataset.hpp does, kept as words (held-out words outside the training
  // vocabulary are text like any other for a BPE model).
  const auto documents = text::load_corpus(corpus.path, corpus.format, corpus.options, corpus.where);
  const auto split = text::split_by_document(documents.size(), corpus.heldout_fraction, corpus.where);
  const auto lines_of = [&](const std::vector<std::size_t>& docs, std::int64_t keep) {
    std::vector<Line> lines;
    for (const auto d : docs)
      for (const auto& s : documents[d].sentences) lines.push_back({d, join(s)});
    return spread(std::move(lines), keep);
  };
  const auto train_lines = lines_of(split.train, train_sentences);
  const auto heldout_lines = lines_of(split.heldout, heldout_sentences);

  const auto cache_dir = std::filesystem::path(corpus.path).lexically_normal().parent_path() / ".ouroboros-cache";
  std::vector<std::string> tokenizer_text;
  for (const auto& line : train_lines) tokenizer_text.push_back(line.text);
  tokenizer_ = lm::Tokenizer::train_or_load(tokenizer_text, static_cast<int>(vocab), cache_dir, corpus.where);
  gpt_.vocab = tokenizer_->size();
  gpt_.bos = tokenizer_->bos();
  gpt_.eos = tokenizer_->eos();

  auto real = std::make_shared<lm::RealText>();
  const auto limit = static_cast<std::size_t>(gpt_.context - 1);
  auto train = sequences(train_lines, chunks_, *tokenizer_, limit);
  auto heldout = sequences(heldout_lines, chunks_, *tokenizer_, limit);
  real->train = std::move(train.ids);
  real->train_lines = std::move(train.text);
  real->dropped_train = train.dropped;
  real->heldout = std::move(heldout.ids);
  real->dropped_heldout = heldout.dropped;
  for (const auto& text : heldout.text) real->heldout_chars += code_points(text) + 1;
  if (real->train.empty() || real->heldout.empty())
    throw UserError(fmt::format("{}: no {} sentence is at most context - 1 = {} tokens long", corpus.where,
                                real->train.empty() ? "training" : "held-out", limit));

  // The real training vocabulary, ids by decreasing count, ties in byte order (as text/dataset.hpp).
  std::unordered_map<std::string, std::int64_t> counts;
  for (const auto& line : real->train_lines)
    for (const auto w : split_words(line)) ++counts[std::string(w)];
  std::vector<std::pair<std::string, std::int64_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  for (auto& [w, c] : sorted) {
    real->index.emplace(w, static_cast<std::uint32_t>(real->words.size()));
    real->words.push_back(w);
    real->word_counts.push_back(c);
  }
  real_ = std::move(real);
  truth_.text = text_stats(real_->train);

  // Baselines that a working fit must beat: the uniform distribution over the tokens, and the add-one unigram
  // of the real training tokens, on the held-out tokens (</s> included).
  std::vector<double> unigram(static_cast<std::size_t>(gpt_.vocab), 1.0);
  double total = static_cast<double>(gpt_.vocab);
  for (const auto& s : real_->train) {
    for (const auto id : s) unigram[static_cast<std::size_t>(id)] += 1;
    unigram[static_cast<std::size_t>(gpt_.eos)] += 1;
    total += static_cast<double>(s.size()) + 1;
  }
  double nats = 0;
  std::int64_t tokens = 0;
  for (const auto& s : real_->heldout) {
    for (const auto id : s) nats -= std::log(unigram[static_cast<std::size_t>(id)] / total);
    nats -= std::log(unigram[static_cast<std::size_t>(gpt_.eos)] / total);
    tokens += static_cast<std::int64_t>(s.size()) + 1;
  }

  Rng probe(0, 0, 0, Stream::kFit);
  const auto parameters = lm::Gpt::create(gpt_, probe)->parameters();  // loads the torch module, and with it BLAS
  const auto blas = checked_blas("transformer_lm");

  description_ = corpus.describe();
  description_.update({{"corpus", corpus.path},
                       {"sequence", chunks_ ? "chunk" : "sentence"},
                       {"train_sentences", real_->train.size()},
                       {"heldout_sentences", real_->heldout.size()},
                       {"dropped_long_sentences", {{"train", real_->dropped_train}, {"heldout", real_->dropped_heldout}}},
                       {"train_tokens", std::accumulate(real_->train.begin(), real_->train.end(), std::int64_t{0},
                                                        [](std::int64_t a, const auto& s) { return a + static_cast<std::int64_t>(s.size()); })},
                       {"heldout_tokens", tokens},
                       {"heldout_characters", real_->heldout_chars},
                       {"words", real_->words.size()}});
  description_ = nlohmann::json{
      {"truth", description_},
      {"tokenizer", {{"kind", "SentencePiece BPE"}, {"vocab", gpt_.vocab}, {"key", tokenizer_->key()}}},
      {"network", {{"layers", gpt_.layers}, {"d_model", gpt_.d_model}, {"heads", gpt_.heads},
                   {"context", gpt_.context}, {"dropout", gpt_.dropout}, {"parameters", parameters}, {"device", gpt_.cuda ? "cuda" : "cpu"},
                   {"init", warm_start_ ? "previous" : "scratch"}}},
      {"optimiser", {{"kind", "AdamW"}, {"lr", train_.lr}, {"betas", {train_.beta1, train_.beta2}},
                     {"weight_decay", train_.weight_decay}, {"clip", train_.clip}, {"batch", train_.batch},
                     {"epochs", train_.epochs}, {"steps", train_.steps}, {"warmup", train_.warmup},
                     {"schedule", train_.schedule == lm::Schedule::kCosine ? "cosine" : "constant"}}},
      {"sampling", {{"temperature", sample_.temperature}, {"top_k", sample_.top_k}, {"top_p", sample_.top_p},
                    {"repetition_penalty", sample_.repetition_penalty}, {"beams", sample_.beams},
                    {"method", sample_.beams > 1 ? "beam search" : "ancestral sampling"}, {"batch", sample_.batch},
                    {"prompt", prompt_tokens_ > 0 ? fmt::format("the first {} tokens of a real training sequence", prompt_tokens_)
                                                  : std::string("<s>")}}},
      {"baselines", {{"uniform_cross_entropy", std::log(static_cast<double>(gpt_.vocab))},
                     {"unigram_cross_entropy", nats / static_cast<double>(tokens)}}},
      {"threads", threads_},
      {"blas", blas.path},
      {"sample", chunks_ ? "consecutive sentences of a document, packed into at most context - 1 BPE tokens; "
                           "experiment.samples counts chunks (train_sentences above counts sequences)"
                         : "one sentence of BPE tokens (at most context - 1); experiment.samples counts sentences"}};
}

std::optional<std::int64_t> TransformerLmFamily::real_sample_size() const {
  return static_cast<std::int64_t>(real_->train.size());
}
std::size_t TransformerLmFamily::items() const { return real_->words.size(); }
std::string TransformerLmFamily::item_label(std::size_t i) const { return real_->words[i]; }
std::string TransformerLmFamily::sample_text(const Sample& x) const { return tokenizer_->decode(x); }

double TransformerLmFamily::model_bytes() const {
  const double d = static_cast<double>(gpt_.d_model), l = static_cast<double>(gpt_.layers);
  const double params = static_cast<double>(gpt_.vocab + gpt_.context) * d + l * (12 * d * d + 13 * d) + 2 * d;
  // Weights, gradients and AdamW's two moments, plus a batch's activations (logits dominate).
  const double activations = static_cast<double>(train_.batch * gpt_.context) *
                             (static_cast<double>(gpt_.vocab) * 3 + 20 * d * l);
  return 4 * (4 * params + activations);
}

void TransformerLmFamily::sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const {
  if (!m.net) {  // the truth: real sentences
    draw_real(real_->train, n, rng, out);
    return;
  }
  std::vector<Sample> raw;
  if (prompt_tokens_ > 0) {  // Shumailov et al.'s set-up: continue real prefixes, each from a uniform real sentence
    std::vector<Sample> prompts;
    const auto& real = real_->train;
    boost::random::uniform_int_distribution<std::size_t> pick(0, real.size() - 1);
    for (std::int64_t i = 0; i < n; ++i) {
      const auto& s = real[pick(rng)];
      prompts.emplace_back(s.begin(), s.begin() + std::min<std::ptrdiff_t>(prompt_tokens_, std::ssize(s)));
    }
    m.net->sample(n, sample_, rng, threads_, raw, &prompts);
  } else {
    m.net->sample(n, sample_, rng, threads_, raw);
  }
  const auto limit = static_cast<std::size_t>(gpt_.context - 1);
  for (const auto& r : raw) {
    auto ids = tokenizer_->encode(tokenizer_->decode(r));
    if (ids.size() > limit) ids.resize(limit);  // a re-encoding longer than the sampled one (rare)
    out.push_back(std::move(ids));
  }
}

void TransformerLmFamily::fit_samples(std::span<const Sample> xs, const FitContext<Model>& ctx, Model& out) const {
  std::shared_ptr<lm::Gpt> net =
      warm_start_ && ctx.previous.net ? ctx.previous.net->clone() : lm::Gpt::create(gpt_, ctx.rng);
  const auto report = net->train(xs, train_, ctx.rng, threads_, ctx.cancel, [&](double f) { ctx.report(f); });
  out.net = std::move(net);
  out.train_loss = report.last_loss;
  out.text = text_stats(xs);
}

TransformerLmFamily::TextStats TransformerLmFamily::text_stats(std::span<const Sample> xs) const {
  TextStats s;
  s.counts.assign(real_->words.size(), 0);
  std::unordered_map<std::string, std::uint64_t> novel;  // words outside the real vocabulary, numbered after it
  std::unordered_set<std::uint64_t> grams[3];
  std::int64_t totals[3] = {0, 0, 0};
  std::vector<std::uint64_t> ids;
  for (const auto& x : xs) {
    const std::string text = tokenizer_->decode(x);
    ids.clear();
    for (const auto w : split_words(text)) {
      const auto it = real_->index.find(std::string(w));
      if (it != real_->index.end()) {
        ++s.counts[it->second];
        ids.push_back(it->second);
      } else {
        ids.push_back(novel.try_emplace(std::string(w), real_->words.size() + novel.size()).first->second);
      }
    }
    ++s.sentences;
    s.words += static_cast<std::int64_t>(ids.size());
    for (std::size_t n = 0; n < 3; ++n)
      for (std::size_t i = 0; i + n < ids.size(); ++i) {
        std::uint64_t key = 0;
        for (std::size_t j = 0; j <= n; ++j) key = key * 0x200000u + ids[i + j];  // 21 bits per word
        grams[n].insert(key);
        ++totals[n];
      }
  }
  if (real_->words.size() + novel.size() >= 0x200000u)
    throw UserError("transformer_lm: more than 2^21 distinct words in one training set");
  const auto ratio = [&](std::size_t n) {
    return totals[n] > 0 ? static_cast<double>(grams[n].size()) / static_cast<double>(totals[n]) : 0.0;
  };
  s.distinct1 = ratio(0), s.distinct2 = ratio(1), s.distinct3 = ratio(2);
  return s;
}

void TransformerLmFamily::metrics(const Model& m, std::span<double> out, const MetricMask& wanted) const {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out[kCrossEntropy] = out[kPerplexity] = out[kBitsPerChar] = nan;
  if (m.net && (wanted(kCrossEntropy) || wanted(kPerplexity) || wanted(kBitsPerChar))) {
    const auto loss = m.net->loss(real_->heldout, threads_);
    out[kCrossEntropy] = loss.nats / static_cast<double>(loss.tokens);
    out[kPerplexity] = std::exp(out[kCrossEntropy]);
    out[kBitsPerChar] = loss.nats / std::numbers::ln2 / static_cast<double>(real_->heldout_chars);
  }
  out[kTrainLoss] = m.net ? m.train_loss : nan;
  const auto& t = m.text;
  const auto alive = std::count_if(t.counts.begin(), t.counts.end(), [](std::int64_t c) { return c > 0; });
  out[kVocabAlive] = static_cast<double>(alive) / static_cast<double>(t.counts.size());
  out[kDistinct1] = t.distinct1;
  out[kDistinct2] = t.distinct2;
  out[kDistinct3] = t.distinct3;
  out[kMeanLength] = t.sentences > 0 ? static_cast<double>(t.words) / static_cast<double>(t.sentences) : 0.0;
  out[kTrainSentences] = static_cast<double>(t.sentences);
}

nlohmann::json TransformerLmFamily::describe() const { return description_; }

void TransformerLmFamily::forgotten(const Model& before, const Model& after, std::vector<std::uint32_t>& out) const {
  const auto& b = before.text.counts;
  const auto& a = after.text.counts;
  for (std::size_t w = 0; w < a.size(); ++w)
    if (b[w] > 0 && a[w] == 0) out.push_back(static_cast<std::uint32_t>(w));
}

void TransformerLmFamily::item_counts(std::span<const Sample> xs, std::vector<double>& counts) const {
  const auto s = text_stats(xs);
  counts.assign(s.counts.begin(), s.counts.end());
}

OUROBOROS_REGISTER_FAMILY(TransformerLmFamily);

}  // namespace ouro
