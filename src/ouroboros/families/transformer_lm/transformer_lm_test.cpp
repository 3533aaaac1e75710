// transformer_lm: the tokenizer's round trip and cache, the network's key-value cache against the full forward pass,
// exact sampling (temperature, top-k, top-p, repetition penalty: chi-squared of first tokens against the network's
// own logits), beam search against an exhaustive enumeration, a fit that beats the unigram baseline, warm starts,
// checkpoints of the network, word statistics by hand, and bad input.
#include "ouroboros/families/transformer_lm/transformer_lm.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>

#include "ouroboros/core/archive.hpp"
#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/regimes/regime.hpp"
#include "ouroboros/families/common/blas_check.hpp"
#include "ouroboros/families/transformer_lm/tokenizer.hpp"
#include "support/gof.hpp"
#include "support/training_set_sizes.hpp"

namespace ouro {
namespace {

const std::string kSmall = std::string(OUROBOROS_SOURCE_DIR) + "/tests/data/corpus/small";
const std::string kTiny = "vocab=96, layers=1, d_model=16, heads=2, context=48, batch=8, epochs=1, warmup=2";

TransformerLmFamily family(const std::string& model = kTiny, const std::string& truth_extra = "") {
  return TransformerLmFamily(parse_spec("transformer_lm(corpus=\"" + kSmall + "\"" + truth_extra + ")"),
                             parse_spec("transformer_lm(" + model + ")"));
}

std::vector<double> softmax(const std::vector<float>& logits, double temperature) {
  std::vector<double> p(logits.size());
  const double top = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (std::size_t i = 0; i < p.size(); ++i) sum += p[i] = std::exp((logits[i] - top) / temperature);
  for (auto& x : p) x /= sum;
  return p;
}

// n first tokens sampled from `net` (an EOS first is the token eos).
std::vector<std::int64_t> first_tokens(const lm::Gpt& net, const lm::SampleConfig& sc, std::int64_t n) {
  Rng rng(7, 0, 0, Stream::kSynthetic);
  std::vector<lm::Tokens> seqs;
  net.sample(n, sc, rng, 1, seqs);
  std::vector<std::int64_t> out;
  for (const auto& s : seqs) out.push_back(s.empty() ? net.config().eos : s.front());
  return out;
}

testing::DiscreteLaw law_of(const std::vector<double>& p) {
  testing::DiscreteLaw law;
  law.a = 0;
  law.b = static_cast<std::int64_t>(p.size()) - 1;
  law.pmf = [p](std::int64_t k) { return p[static_cast<std::size_t>(k)]; };
  return law;
}

// A small random network with a short context (sequences of at most 3 tokens: sampling many is cheap).
std::shared_ptr<lm::Gpt> random_net(std::int64_t vocab = 24, std::int64_t epochs = 30) {
  lm::GptConfig c;
  c.vocab = vocab, c.layers = 2, c.d_model = 16, c.heads = 2, c.context = 4;
  Rng rng(3, 0, 0, Stream::kFit);
  auto net = lm::Gpt::create(c, rng);
  // Sharpen the otherwise near-uniform initial distribution so the test can tell laws apart.
  lm::TrainConfig tc;
  tc.epochs = epochs, tc.batch = 4, tc.warmup = 0, tc.lr = 1e-2;
  std::vector<lm::Tokens> data{{5, 6, 7}, {5, 8}, {9}, {5, 6}, {10, 11, 12}};
  net->train(data, tc, rng, 1, CancelToken{}, nullptr);
  return net;
}

TEST(TransformerLmTokenizer, RoundTripAndCache) {
  const auto f = family();
  for (const auto& line : f.real().train_lines) EXPECT_EQ(f.tokenizer().decode(f.tokenizer().encode(line)), line);
  EXPECT_EQ(f.tokenizer().size(), 96);
  const auto again = family();  // the same inputs: the cached model
  EXPECT_EQ(again.tokenizer().key(), f.tokenizer().key());
  EXPECT_EQ(again.tokenizer().source().rfind("cache ", 0), 0u) << again.tokenizer().source();
  EXPECT_NE(family("vocab=97, layers=1, d_model=16, heads=2, context=48").tokenizer().key(), f.tokenizer().key());
}

TEST(TransformerLmTokenizer, VocabularyTooLargeForTheTextIsAUserError) {
  try {
    family("vocab=100000");
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("vocab=100000"), std::string::npos) << e.what();
  }
}

TEST(TransformerLmGpt, CachedStepsEqualTheFullForwardPass) {
  const auto net = random_net(40);
  lm::GptConfig c = net->config();
  for (const lm::Tokens& prefix : {lm::Tokens{}, lm::Tokens{5}, lm::Tokens{5, 6, 7}}) {
    const auto full = net->next_logits(prefix, false), cached = net->next_logits(prefix, true);
    ASSERT_EQ(full.size(), static_cast<std::size_t>(c.vocab));
    for (std::size_t i = 0; i < full.size(); ++i) EXPECT_NEAR(full[i], cached[i], 1e-5) << i;
  }
}

// Batches are packed several sequences to a row (gpt_torch.cpp): each sequence's loss must be the one it has alone.
TEST(TransformerLmGpt, PackedBatchesScoreEachSequenceAsAlone) {
  const auto net = random_net(40);
  std::vector<lm::Tokens> data;
  for (int i = 0; i < 30; ++i) data.push_back(lm::Tokens(static_cast<std::size_t>(i % 3), 5 + i % 7));  // lengths 0..2
  data.push_back({});
  const auto packed = net->loss(data, 1);
  double alone = 0;
  std::int64_t tokens = 0;
  for (const auto& s : data) {
    const auto l = net->loss(std::span(&s, 1), 1);
    alone += l.nats;
    tokens += l.tokens;
  }
  EXPECT_EQ(packed.tokens, tokens);
  EXPECT_NEAR(packed.nats, alone, 1e-5 * alone);
  // ... and the same as the full forward pass's next-token logits, token by token.
  const lm::Tokens s{5, 6, 7};
  double direct = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    const auto logits = net->next_logits(lm::Tokens(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(i)), false);
    const auto p = softmax(logits, 1.0);
    direct -= std::log(p[static_cast<std::size_t>(i < s.size() ? s[i] : net->config().eos)]);
  }
  EXPECT_NEAR(net->loss(std::span(&s, 1), 1).nats, direct, 1e-4);
}

TEST(TransformerLmGpt, SamplesFollowTheTemperedSoftmax) {
  const auto net = random_net();
  const auto logits = net->next_logits({}, false);
  for (const double t : {1.0, 0.5, 2.0}) {
    lm::SampleConfig sc;
    sc.temperature = t;
    const auto g = testing::chi_squared_gof(first_tokens(*net, sc, 20000), law_of(softmax(logits, t)));
    EXPECT_GT(g.p, 1e-4) << "temperature " << t << ": chi2 " << g.stat << " on " << g.cells << " cells";
  }
}

TEST(TransformerLmGpt, TopKAndTopPRenormaliseTheKeptTokens) {
  const auto net = random_net();
  const auto p = softmax(net->next_logits({}, false), 1.0);
  std::vector<std::size_t> order(p.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return p[a] > p[b]; });
  const auto kept_law = [&](std::size_t kept) {
    std::vector<double> q(p.size(), 0.0);
    double mass = 0;
    for (std::size_t i = 0; i < kept; ++i) mass += p[order[i]];
    for (std::size_t i = 0; i < kept; ++i) q[order[i]] = p[order[i]] / mass;
    return q;
  };
  lm::SampleConfig k3;
  k3.top_k = 3;
  const auto draws = first_tokens(*net, k3, 20000);
  for (const auto x : draws)
    EXPECT_TRUE(x == static_cast<std::int64_t>(order[0]) || x == static_cast<std::int64_t>(order[1]) ||
                x == static_cast<std::int64_t>(order[2]));
  EXPECT_GT(testing::chi_squared_gof(draws, law_of(kept_law(3))).p, 1e-4);
  // top_p: the smallest prefix of the sorted tokens whose mass reaches top_p.
  const double top_p = p[order[0]] + 0.5 * p[order[1]];
  lm::SampleConfig nucleus;
  nucleus.top_p = top_p;
  EXPECT_GT(testing::chi_squared_gof(first_tokens(*net, nucleus, 20000), law_of(kept_law(2))).p, 1e-4);
}

TEST(TransformerLmGpt, PromptsStartTheSequencesAndTheRestIsSampled) {
  const auto net = random_net();
  const std::vector<lm::Tokens> prompts{{5, 6}, {9}, {}, {10, 11, 12}};
  Rng rng(4, 0, 0, Stream::kSynthetic);
  std::vector<lm::Tokens> out;
  net->sample(4, lm::SampleConfig{}, rng, 1, out, &prompts);
  ASSERT_EQ(out.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    ASSERT_GE(out[i].size(), prompts[i].size()) << i;
    EXPECT_TRUE(std::equal(prompts[i].begin(), prompts[i].end(), out[i].begin())) << i;
  }
  EXPECT_EQ(out[3], prompts[3]);  // a prompt that fills the context (context - 1 = 3 tokens) leaves no room
  // The first sampled token after a prompt follows the network's next-token law given the prompt.
  std::vector<lm::Tokens> many(20000, lm::Tokens{5});
  std::vector<std::int64_t> second;
  out.clear();
  net->sample(20000, lm::SampleConfig{}, rng, 1, out, &many);
  for (const auto& s : out) second.push_back(s.size() > 1 ? s[1] : net->config().eos);
  EXPECT_GT(testing::chi_squared_gof(second, law_of(softmax(net->next_logits({5}, false), 1.0))).p, 1e-4);
}

TEST(TransformerLmGpt, RepetitionPenaltyReweightsTheTokensAlreadySeen) {
  const auto net = random_net();
  lm::SampleConfig sc;
  sc.repetition_penalty = 3.0;
  const lm::Tokens prompt{5, 6};
  std::vector<lm::Tokens> prompts(20000, prompt), out;
  Rng rng(5, 0, 0, Stream::kSynthetic);
  net->sample(20000, sc, rng, 1, out, &prompts);
  std::vector<std::int64_t> third;
  for (const auto& s : out) third.push_back(s.size() > 2 ? s[2] : net->config().eos);
  auto logits = net->next_logits(prompt, false);
  for (const auto seen : prompt) {
    auto& l = logits[static_cast<std::size_t>(seen)];
    l = l > 0 ? l / 3.0f : l * 3.0f;
  }
  EXPECT_GT(testing::chi_squared_gof(third, law_of(softmax(logits, 1.0))).p, 1e-4);
}

// The best sequence after `prompt` by beam search's criterion (gpt.hpp), by enumerating every continuation.
lm::Tokens best_by_enumeration(const lm::Gpt& net, const lm::Tokens& prompt) {
  const auto room = static_cast<std::size_t>(net.config().context - 1);
  const auto eos = net.config().eos;
  lm::Tokens best;
  double best_score = -std::numeric_limits<double>::infinity();
  std::function<void(lm::Tokens&, double)> walk = [&](lm::Tokens& s, double logp) {
    const double generated = static_cast<double>(s.size() - prompt.size());
    if (s.size() == room) {  // cut at the context
      if (logp / generated > best_score) best_score = logp / generated, best = s;
      return;
    }
    const auto p = softmax(net.next_logits(s, false), 1.0);
    const double ended = (logp + std::log(p[static_cast<std::size_t>(eos)])) / (generated + 1);
    if (ended > best_score) best_score = ended, best = s;
    for (std::size_t tok = 0; tok < p.size(); ++tok) {
      if (static_cast<std::int32_t>(tok) == eos) continue;
      s.push_back(static_cast<std::int32_t>(tok));
      walk(s, logp + std::log(p[tok]));
      s.pop_back();
    }
  };
  lm::Tokens s = prompt;
  walk(s, 0.0);
  return best;
}

TEST(TransformerLmGpt, BeamSearchWithEveryContinuationKeptFindsTheBestSequence) {
  // With more beams than open continuations the search is exhaustive: it returns the enumeration's best.
  const auto net = random_net(24, 2);  // a flatter law than 30 epochs leave: two beams miss the best here
  lm::SampleConfig sc;
  sc.beams = 600;  // 23^2 = 529 open sequences of two tokens at most
  const std::vector<lm::Tokens> prompts{{}, {5}, {9}};
  std::vector<lm::Tokens> out;
  Rng rng(6, 0, 0, Stream::kSynthetic);
  net->sample(3, sc, rng, 1, out, &prompts);
  ASSERT_EQ(out.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(out[i], best_by_enumeration(*net, prompts[i])) << i;
}

TEST(TransformerLmGpt, BeamSearchIsDeterministicKeepsPromptsAndIgnoresBatching) {
  const auto net = random_net();
  const std::vector<lm::Tokens> prompts{{5}, {9}, {}, {10, 11, 12}, {5, 6}};
  lm::SampleConfig sc;
  sc.beams = 3;
  sc.repetition_penalty = 1.5;
  std::vector<lm::Tokens> a, b;
  Rng r1(1, 0, 0, Stream::kSynthetic), r2(2, 0, 0, Stream::kSynthetic);
  net->sample(5, sc, r1, 1, a, &prompts);
  sc.batch = 3;  // one sequence (of three rows) at a time
  net->sample(5, sc, r2, 1, b, &prompts);
  EXPECT_EQ(a, b);
  ASSERT_EQ(a.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i)
    EXPECT_TRUE(std::equal(prompts[i].begin(), prompts[i].end(), a[i].begin())) << i;
  EXPECT_EQ(a[3], prompts[3]);  // the prompt fills the context
}

TEST(TransformerLmGpt, SaveLoadRoundTripsTheWeights) {
  const auto net = random_net();
  const auto back = lm::Gpt::load(net->save());
  EXPECT_EQ(back->parameters(), net->parameters());
  EXPECT_EQ(back->next_logits({5, 6}, false), net->next_logits({5, 6}, false));
  EXPECT_THROW(lm::Gpt::load("not a model"), UserError);
}

// One generation fitted on the real text beats the add-one unigram of the same tokens on held-out text.
TEST(TransformerLmFamily, AFitOnRealTextBeatsTheUnigramBaseline) {
  const auto f = family("vocab=96, layers=1, d_model=32, heads=2, context=48, batch=16, epochs=12, warmup=5, lr=0.01");
  const auto unigram = f.describe()["baselines"]["unigram_cross_entropy"].get<double>();
  Rng rng(1, 0, 1, Stream::kFit);
  const CancelToken never;
  TransformerLmFamily::Model m;
  f.fit_samples(f.real().train, FitContext<TransformerLmFamily::Model>{rng, f.truth(), 1, 0, never}, m);
  std::vector<double> out(TransformerLmFamily::descriptor().metrics.size());
  f.metrics(m, out);
  EXPECT_LT(out[0], unigram - 0.1) << "held-out cross-entropy " << out[0] << " vs unigram " << unigram;
  EXPECT_DOUBLE_EQ(out[1], std::exp(out[0]));
  EXPECT_LT(out[3], std::log(96.0));  // training loss below the uniform's
  // Generation 0: no network, and the real text's own statistics.
  f.metrics(f.truth(), out);
  EXPECT_TRUE(std::isnan(out[0]) && std::isnan(out[3]));
  EXPECT_DOUBLE_EQ(out[4], 1.0);  // vocab_alive of the real training set
}

TEST(TransformerLmFamily, WarmStartContinuesFromThePreviousNetwork) {
  // A learning rate too small to move the weights: fine-tuning returns the previous network's predictions.
  const auto f = family(kTiny + ", init=previous, lr=1e-12");
  const CancelToken never;
  Rng r1(1, 0, 1, Stream::kFit), r2(1, 0, 2, Stream::kFit);
  TransformerLmFamily::Model m1, m2;
  f.fit_samples(f.real().train, FitContext<TransformerLmFamily::Model>{r1, f.truth(), 1, 0, never}, m1);
  f.fit_samples(f.real().train, FitContext<TransformerLmFamily::Model>{r2, m1, 2, 0, never}, m2);
  std::vector<double> a(10), b(10);
  f.metrics(m1, a);
  f.metrics(m2, b);
  EXPECT_NEAR(a[0], b[0], 1e-6);
  const auto scratch = family(kTiny + ", lr=1e-12");
  Rng r3(1, 0, 2, Stream::kFit);
  TransformerLmFamily::Model m3;
  scratch.fit_samples(f.real().train, FitContext<TransformerLmFamily::Model>{r3, m1, 2, 0, never}, m3);
  std::vector<double> c(10);
  scratch.metrics(m3, c);
  EXPECT_GT(std::abs(c[0] - a[0]), 1e-3) << "a new initialisation predicts differently";
}

TEST(TransformerLmFamily, WordStatisticsByHand) {
  const auto f = family();
  const auto& tok = f.tokenizer();
  // "the the cat" and "the cat sat": 6 words; unigrams {the, cat, sat}, bigrams {the the, the cat, cat sat} of 4,
  // trigrams {the the cat, the cat sat} of 2.
  const auto& words = f.real().words;
  ASSERT_TRUE(std::find(words.begin(), words.end(), "the") != words.end());
  const std::vector<lm::Tokens> xs{tok.encode("the the zzqq"), tok.encode("the zzqq sat")};
  const auto s = f.text_stats(xs);
  EXPECT_EQ(s.sentences, 2);
  EXPECT_EQ(s.words, 6);
  EXPECT_DOUBLE_EQ(s.distinct1, 3.0 / 6);
  EXPECT_DOUBLE_EQ(s.distinct2, 3.0 / 4);
  EXPECT_DOUBLE_EQ(s.distinct3, 2.0 / 2);
  const auto the = static_cast<std::size_t>(f.real().index.at("the"));
  EXPECT_EQ(s.counts[the], 3);
  EXPECT_EQ(std::accumulate(s.counts.begin(), s.counts.end(), std::int64_t{0}),
            3 + (f.real().index.count("sat") ? 1 : 0));
}

TEST(TransformerLmFamily, ChunksPackConsecutiveSentencesIntoTheContext) {
  const auto sentences = family();
  const auto chunks = family(kTiny + ", sequence=chunk");
  const auto& by_sentence = sentences.real();
  const auto& by_chunk = chunks.real();
  EXPECT_LT(by_chunk.train.size(), by_sentence.train.size());
  EXPECT_EQ(by_chunk.dropped_train, by_sentence.dropped_train);
  // The chunks are the sentences, in order, cut into pieces of at most context - 1 = 47 tokens; a chunk's ids are
  // the code of its text.
  lm::Tokens a, b;
  for (std::size_t i = 0; i < by_chunk.train.size(); ++i) {
    const auto& c = by_chunk.train[i];
    EXPECT_LE(c.size(), 47u);
    EXPECT_EQ(chunks.tokenizer().encode(by_chunk.train_lines[i]), c) << i;
    a.insert(a.end(), c.begin(), c.end());
  }
  for (const auto& s : by_sentence.train) b.insert(b.end(), s.begin(), s.end());
  EXPECT_EQ(a, b);
  EXPECT_THROW(family(kTiny + ", sequence=document"), UserError);
}

// Every regime at the sentence level: the size of each generation's training set, n = 8 per generation, against
// regimes/regime.hpp's rules.
TEST(TransformerLmFamily, RegimesSetTheTrainingSetSizePerGeneration) {
  const auto sim = make_simulator("transformer_lm(corpus=\"" + kSmall + "\")", "transformer_lm(" + kTiny + ")");
  testing::expect_training_set_sizes(
      *sim,
      {
          {"replace", {8, 8, 8, 8}},
          {"accumulate", {8, 16, 24, 32}},
          {"accumulate_subsample(size=12)", {8, 12, 12, 12}},
          {"grow", {8, 16, 24, 32}},
          {"fresh_mix(real_fraction=0.5)", {8, 8, 8, 8}},
          {"augment(ratio=0.5)", {8, 12, 12, 12}},     // 4 synthetic + the 8 real sentences of generation 1
          {"keep_real(fraction=0.25)", {8, 8, 8, 8}},  // 6 synthetic + 2 kept real
          {"accumulate(ratio=0.5)", {8, 12, 16, 20}},  // 4 synthetic added to the pool per generation
      },
      8, "train_sentences");
}

// output.checkpoints: a model saved after a step and read back scores every metric exactly as the chain recorded
// it (the network's weights and the training set's word statistics survive the round trip), and samples from it
// are text, the same for the same seed.
TEST(TransformerLmFamily, ASavedModelGivesTheRecordedMetricsAndSamplesText) {
  const auto sim = make_simulator("transformer_lm(corpus=\"" + kSmall + "\")", "transformer_lm(" + kTiny + ")");
  const SampleSchedule samples(std::vector<std::int64_t>(2, 8));
  auto chain = sim->chain(parse_regime("accumulate"), KernelKind::kSample, samples, 1, 0);
  std::vector<double> recorded(sim->metrics().size()), read(sim->metrics().size());
  for (std::int64_t g = 1; g <= 2; ++g) {
    chain->step(g, recorded);
    ArchiveWriter a;
    chain->save_model(a);
    sim->saved_model_metrics(a.bytes(), read);
    for (std::size_t m = 0; m < read.size(); ++m) {
      if (std::isnan(recorded[m])) {
        EXPECT_TRUE(std::isnan(read[m])) << sim->metrics()[m].name;
      } else {
        EXPECT_EQ(read[m], recorded[m]) << sim->metrics()[m].name << " generation " << g;
      }
    }
    const auto text = sim->saved_model_samples(a.bytes(), 6, 4);
    ASSERT_EQ(text.size(), 6u);
    EXPECT_EQ(sim->saved_model_samples(a.bytes(), 6, 4), text);
    EXPECT_NE(sim->saved_model_samples(a.bytes(), 6, 5), text);
    for (const auto& line : text) EXPECT_EQ(line.find('\0'), std::string::npos);
  }
  EXPECT_THROW(sim->saved_model_metrics("not a model", read), UserError);
}

TEST(TransformerLmFamily, BadInputIsAUserError) {
  EXPECT_THROW(family("d_model=30, heads=4"), UserError);
  EXPECT_THROW(family("context=2"), UserError);
  EXPECT_THROW(family("top_p=0"), UserError);
  EXPECT_THROW(family("init=warm"), UserError);
  EXPECT_THROW(family(kTiny + ", beams=2"), UserError);  // from <s>: every sequence the same
  EXPECT_THROW(family(kTiny + ", beams=2, prompt=real, temperature=0.5"), UserError);
  EXPECT_THROW(family("repetition_penalty=0"), UserError);
  if (!lm::Gpt::cuda_available()) {
    EXPECT_THROW(family(kTiny + ", device=cuda"), UserError);
  }
  EXPECT_THROW(family(kTiny, ", heldout_fraction=1.5"), UserError);
  EXPECT_THROW(TransformerLmFamily(parse_spec("transformer_lm(corpus=\"/nonexistent/corpus\")"), parse_spec("transformer_lm")),
               UserError);
}

TEST(TransformerLmFamily, RunsOnAnOptimisedBlas) {
  // The setup step installs OpenBLAS; libtorch on the reference BLAS would be an order of magnitude slower.
  family();
  const auto blas = loaded_blas();
  EXPECT_FALSE(blas.path.empty());
  EXPECT_FALSE(blas.reference) << blas.path;
}

}  // namespace
}  // namespace ouro
