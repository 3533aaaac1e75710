#include "ouroboros/families/ngram/ngram.hpp"

#include <fmt/format.h>

#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <limits>
#include <numeric>

#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/simulator_for.hpp"
#include "ouroboros/families/common/corpus_params.hpp"
#include "ouroboros/families/common/real_draws.hpp"
#include "ouroboros/text/corpus.hpp"

namespace ouro {

namespace {

std::vector<ParamInfo> truth_params() {
  std::vector<ParamInfo> params = corpus_params("path to the corpus: a directory of documents or one text file");
  params.push_back(param::number("floor", "0.001", "weight of the uniform floor in held-out evaluation").above(0).below(1));
  params.push_back(param::integer("tail_count", "1", "tail_mass counts the words whose original count is <= tail_count").at_least(1));
  return params;
}
const std::vector<ParamInfo> kTruthParams = truth_params();
const std::vector<ParamInfo> kModelParams{
    param::integer("order", "2", "n-gram order").at_least(1).at_most(NgramModel::kMaxOrder),
    param::word("smoothing", {"mle", "add_k", "kneser_ney"}, "mle",
                "mle, add_k or kneser_ney (interpolated, modified discounts)"),
    param::positive("k", "1", "the added count for add_k"),
    param::positive("temperature", "1", "sampling temperature (above 1 needs smoothing=mle)"),
    param::integer("max_length", "200", "a sampled sentence stops after this many words").at_least(1),
};
enum Metric { kCrossEntropy, kPerplexity, kOovRate, kVocabAlive, kVocabSize, kDistinct, kTailMass, kMeanLength };

const char* smoothing_name(Smoothing s) {
  return s == Smoothing::kMle ? "mle" : s == Smoothing::kAddK ? "add_k" : "kneser_ney";
}

}  // namespace

FamilyDescriptor NgramFamily::descriptor() {
  FamilyDescriptor d;
  d.name = "ngram";
  d.summary = "n-gram language model (order 1-5) on a real corpus; one sample is one sentence";
  d.truth_params = kTruthParams;
  d.model_params = kModelParams;
  d.estimators = {"mle", "add_k", "kneser_ney"};
  static constexpr MetricDecl<Metric> kList[]{
      {kCrossEntropy, "cross_entropy", "held-out cross-entropy, bits per token (</s> included, OOV tokens skipped), with the floor"},
      {kPerplexity, "perplexity", "2^cross_entropy"},
      {kOovRate, "oov_rate", "fraction of held-out words outside the training vocabulary"},
      {kVocabAlive, "vocab_alive", "fraction of the original training vocabulary present in the training set"},
      {kVocabSize, "vocab_size", "number of original words present in the training set"},
      {kDistinct, "distinct_ngrams", "distinct n-grams of the model's order in the training set"},
      {kTailMass, "tail_mass", "share of training words whose original count is <= tail_count"},
      {kMeanLength, "mean_length", "mean sentence length of the training set, in words"},
  };
  static_assert(metrics_in_order(kList));
  d.metrics = metric_infos(kList);
  d.kernels = "sample kernel only (sentences are sampled and counted)";
  return d;
}

NgramFamily::NgramFamily(const Spec& truth, const Spec& model) {
  const std::string what = "truth.family: ngram";
  SpecReader t(truth, what, kTruthParams);
  const CorpusParams corpus = read_corpus_params(t, what);
  floor_ = t.number("floor");
  tail_count_ = t.integer("tail_count");
  t.finish();

  SpecReader m(model, "model.family: ngram", kModelParams);
  config_.order = static_cast<int>(m.integer("order"));
  const std::string smoothing = m.word("smoothing");
  config_.smoothing = smoothing == "mle" ? Smoothing::kMle : smoothing == "add_k" ? Smoothing::kAddK : Smoothing::kKneserNey;
  if (config_.smoothing == Smoothing::kAddK) config_.k = m.number("k");
  config_.temperature = m.number("temperature");
  // T < 1 is exact by rejection (ngram_model.cpp). For T > 1 the mirror sampler (accept w ~ P with probability
  // (P_min / P(w))^(1 - 1/T), P_min = min_w P(w | h)) accepts with probability P_min^(1 - 1/T) sum_w P(w)^(1/T),
  // between s and s^(1 - 1/T) for s = (V + 1) P_min, the uniform floor's share of the context: for kneser_ney
  // the product of the backoff weights down the chain, so a proposal count that grows with the order.
  if (config_.temperature > 1.0 && config_.smoothing != Smoothing::kMle)
    m.fail("temperature", "above 1 needs smoothing=mle: flattening a smoothed model moves mass to the O(V) unseen "
                          "words, so exact sampling costs O(V) per token, or by rejection 1 / s^(1 - 1/T) to 1 / s "
                          "proposals per token, s the uniform floor's share (tiny for kneser_ney); use "
                          "temperature <= 1 (exact by rejection) or smoothing=mle");
  max_length_ = m.integer("max_length");
  m.finish();

  auto data = std::make_shared<text::TextDataset>(text::build_dataset(
      text::load_corpus(corpus.path, corpus.format, corpus.options, corpus.where), corpus.heldout_fraction, corpus.where));
  config_.vocab = static_cast<std::uint32_t>(data->vocabulary.words.size());
  corpus_description_ = corpus.describe();
  corpus_description_.update({{"corpus", corpus.path},
                         {"split", "by document: document i held out iff floor((i+1) f) > floor(i f)"},
                         {"train_documents", data->train_documents},
                         {"heldout_documents", data->heldout_documents},
                         {"train_sentences", data->train.size()},
                         {"train_words", data->train_words},
                         {"heldout_sentences", data->heldout.size()},
                         {"heldout_words", data->heldout_words},
                         {"vocabulary", config_.vocab}});
  auto real = std::make_shared<std::vector<text::Sentence>>(data->train);
  truth_.table.fit(config_, *real);
  truth_.real = std::move(real);
  data_ = std::move(data);
}

void NgramFamily::sample(const Model& m, std::int64_t n, Rng& rng, std::vector<Sample>& out) const {
  if (m.real) {
    draw_real(*m.real, n, rng, out);
    return;
  }
  for (std::int64_t s = 0; s < n; ++s) {
    out.emplace_back();
    m.table.sample_sentence(rng, max_length_, out.back());
  }
}

void NgramFamily::fit_samples(std::span<const Sample> xs, Model& out) const {
  out.real.reset();
  out.table.fit(config_, xs);
}

double NgramFamily::cross_entropy(const NgramModel& m) const {
  const double uniform = floor_ / (static_cast<double>(config_.vocab) + 1.0);
  double bits = 0;
  std::int64_t predicted = 0;
  for (const auto& s : data_->heldout) {
    for (std::size_t i = 0; i <= s.size(); ++i) {
      const std::uint32_t target = i < s.size() ? s[i] : config_.vocab;
      if (target == text::Vocabulary::kUnknown) continue;
      const double p = m.probability(std::span(s).first(i), target);
      bits -= std::log2((1 - floor_) * p + uniform);
      ++predicted;
    }
  }
  return bits / static_cast<double>(predicted);
}

void NgramFamily::metrics(const Model& m, std::span<double> out, const MetricMask& wanted) const {
  const auto& counts = m.table.token_counts();
  const auto& original = data_->vocabulary.counts;
  std::int64_t alive = 0, tail = 0;
  for (std::size_t w = 0; w < original.size(); ++w) {
    alive += counts[w] > 0;
    if (original[w] <= tail_count_) tail += counts[w];
  }
  const double words = static_cast<double>(m.table.words());
  out[kCrossEntropy] = wanted(kCrossEntropy) || wanted(kPerplexity) ? cross_entropy(m.table)
                                                                     : std::numeric_limits<double>::quiet_NaN();
  out[kPerplexity] = std::exp2(out[kCrossEntropy]);
  out[kOovRate] = static_cast<double>(data_->heldout_oov) / static_cast<double>(data_->heldout_words);
  out[kVocabAlive] = static_cast<double>(alive) / static_cast<double>(original.size());
  out[kVocabSize] = static_cast<double>(alive);
  out[kDistinct] = static_cast<double>(m.table.distinct_ngrams());
  out[kTailMass] = words > 0 ? static_cast<double>(tail) / words : 0.0;
  out[kMeanLength] = m.table.sentences() > 0 ? words / static_cast<double>(m.table.sentences()) : 0.0;
}

nlohmann::json NgramFamily::describe() const {
  nlohmann::json d{{"truth", corpus_description_},
                   {"order", config_.order},
                   {"smoothing", smoothing_name(config_.smoothing)},
                   {"temperature", config_.temperature},
                   {"max_length", max_length_},
                   {"floor", floor_},
                   {"tail_count", tail_count_},
                   {"sample", "one sentence; experiment.samples counts sentences"},
                   {"tokens", "words 0..V-1, </s> predicted, one <s> of context per sentence"},
                   {"evaluation", "bits per held-out token on (1 - floor) P + floor / (V + 1); OOV tokens skipped"}};
  if (config_.smoothing == Smoothing::kAddK) d["k"] = config_.k;
  return d;
}

void NgramFamily::forgotten(const Model& before, const Model& after, std::vector<std::uint32_t>& out) const {
  const auto& b = before.table.token_counts();
  const auto& a = after.table.token_counts();
  for (std::uint32_t w = 0; w < config_.vocab; ++w)
    if (b[w] > 0 && a[w] == 0) out.push_back(w);
}

void NgramFamily::item_counts(std::span<const Sample> xs, std::vector<double>& counts) const {
  counts.assign(items(), 0.0);
  for (const auto& s : xs)
    for (const auto w : s) counts[w] += 1.0;
}

OUROBOROS_REGISTER_FAMILY(NgramFamily);

}  // namespace ouro
