// ngram: probabilities by hand (mle, add_k), Kneser-Ney against a direct implementation of Chen & Goodman's
// formulas, normalisation in every context, held-out cross-entropy against a direct computation, exact
// sampling (chi-squared on next-word distributions, temperature, tempered smoothed models), the length cap,
// real-text sampling from the truth, forgetting in a run, and bad input.
#include "ouroboros/families/ngram/ngram.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <array>
#include <map>
#include <set>

#include "ouroboros/core/error.hpp"
#include "support/collect.hpp"
#include "support/gof.hpp"

namespace ouro {
namespace {

using text::Sentence;
const std::string kSmall = std::string(OUROBOROS_SOURCE_DIR) + "/tests/data/corpus/small";

NgramFamily family(const std::string& model, const std::string& truth_extra = "") {
  return NgramFamily(parse_spec("ngram(corpus=\"" + kSmall + "\"" + truth_extra + ")"), parse_spec(model));
}

NgramModel fit(int order, Smoothing s, std::uint32_t vocab, const std::vector<Sentence>& sentences, double k = 1,
               double temperature = 1) {
  NgramModel m;
  m.fit(NgramConfig{order, s, k, temperature, vocab}, sentences);
  return m;
}

// Three sentences over V = 4 words (word 3 never occurs): bigram counts (<s>,0)=3, (0,1)=2, (0,2)=1, (1,2)=1,
// (1,</s>)=1, (2,</s>)=2.
const std::vector<Sentence> kTiny{{0, 1}, {0, 2}, {0, 1, 2}};
constexpr std::uint32_t kEos = 4;

TEST(NgramModel, MleByHand) {
  const auto m = fit(2, Smoothing::kMle, 4, kTiny);
  const Sentence zero{0}, one{0, 1}, two{0, 2};
  EXPECT_DOUBLE_EQ(m.probability({}, 0), 1.0);
  EXPECT_DOUBLE_EQ(m.probability(zero, 1), 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.probability(zero, 2), 1.0 / 3);
  EXPECT_DOUBLE_EQ(m.probability(one, 2), 0.5);
  EXPECT_DOUBLE_EQ(m.probability(one, kEos), 0.5);
  EXPECT_DOUBLE_EQ(m.probability(two, kEos), 1.0);
  EXPECT_EQ(m.distinct_ngrams(), 6);
  const auto u = fit(1, Smoothing::kMle, 4, kTiny);  // predicted tokens 0:3, 1:2, 2:2, </s>:3
  EXPECT_DOUBLE_EQ(u.probability(one, 1), 0.2);
  EXPECT_DOUBLE_EQ(u.probability({}, kEos), 0.3);
  EXPECT_EQ(u.token_counts(), (std::vector<std::int64_t>{3, 2, 2, 0, 3}));
}

TEST(NgramModel, AddKByHand) {
  const auto m = fit(2, Smoothing::kAddK, 4, kTiny, 0.5);
  const Sentence zero{0}, three{3};
  EXPECT_DOUBLE_EQ(m.probability(zero, 1), (2 + 0.5) / (3 + 0.5 * 5));
  EXPECT_DOUBLE_EQ(m.probability(zero, 3), 0.5 / (3 + 0.5 * 5));
  EXPECT_DOUBLE_EQ(m.probability(three, 1), 1.0 / 5) << "an unseen context is uniform over V + 1 tokens";
}

// Interpolated modified Kneser-Ney written directly from Chen & Goodman (1998) on maps of n-grams.
class ReferenceKneserNey {
 public:
  ReferenceKneserNey(int order, std::uint32_t vocab, const std::vector<Sentence>& sentences) : n_(order), v_(vocab) {
    const std::uint32_t bos = vocab + 1;
    std::map<std::vector<std::uint32_t>, double> raw;
    for (const auto& s : sentences) {
      std::vector<std::uint32_t> t{bos};
      t.insert(t.end(), s.begin(), s.end());
      t.push_back(vocab);
      for (std::size_t i = 1; i < t.size(); ++i)
        for (int len = 1; len <= order && static_cast<int>(i) + 1 >= len; ++len)
          raw[std::vector<std::uint32_t>(t.begin() + static_cast<long>(i) + 1 - len, t.begin() + static_cast<long>(i) + 1)] += 1;
    }
    for (const auto& [g, c] : raw) {
      if (static_cast<int>(g.size()) == order || g.front() == bos) a_[g] += c;
      if (g.size() >= 2 && static_cast<int>(g.size()) - 1 < order) {
        const std::vector<std::uint32_t> tail(g.begin() + 1, g.end());
        if (tail.front() != bos) a_[tail] += 1;  // one more distinct left extension
      }
    }
    std::map<int, std::array<double, 5>> nc;
    for (const auto& [g, c] : a_) {
      if (c <= 4) nc[static_cast<int>(g.size())][static_cast<std::size_t>(c)] += 1;
      ctx_total_[std::vector<std::uint32_t>(g.begin(), g.end() - 1)] += c;
    }
    for (auto& [len, n] : nc) {
      const double y = n[1] / (n[1] + 2 * n[2]);
      d_[len] = {1 - 2 * y * n[2] / n[1], 2 - 3 * y * n[3] / n[2], 3 - 4 * y * n[4] / n[3]};
    }
    for (const auto& [g, c] : a_) {
      const std::vector<std::uint32_t> h(g.begin(), g.end() - 1);
      const double d = d_[static_cast<int>(g.size())][static_cast<std::size_t>(std::min(c, 3.0)) - 1];
      ctx_discount_[h] += d;
    }
  }
  double discount(int len, int c) { return d_[len][static_cast<std::size_t>(c) - 1]; }
  double p(std::vector<std::uint32_t> h, std::uint32_t w) {
    if (static_cast<int>(h.size()) > n_ - 1) h.erase(h.begin(), h.end() - (n_ - 1));
    const double lower = h.empty() ? 1.0 / (v_ + 1.0) : p(std::vector<std::uint32_t>(h.begin() + 1, h.end()), w);
    const auto total = ctx_total_.find(h);
    if (total == ctx_total_.end()) return lower;
    auto g = h;
    g.push_back(w);
    const auto it = a_.find(g);
    const double c = it == a_.end() ? 0.0 : it->second;
    const double mine = c > 0 ? c - d_[static_cast<int>(g.size())][static_cast<std::size_t>(std::min(c, 3.0)) - 1] : 0.0;
    return mine / total->second + ctx_discount_[h] / total->second * lower;
  }

 private:
  int n_;
  std::uint32_t v_;
  std::map<std::vector<std::uint32_t>, double> a_, ctx_total_, ctx_discount_;
  std::map<int, std::array<double, 3>> d_;
};

TEST(NgramModel, KneserNeyMatchesChenGoodmanAndSumsToOne) {
  const auto f = family("ngram(order=3, smoothing=kneser_ney)");
  const auto& data = f.data();
  const std::uint32_t vocab = static_cast<std::uint32_t>(data.vocabulary.words.size());
  const std::uint32_t bos = vocab + 1;
  for (const int order : {2, 3, 4}) {
    const auto m = fit(order, Smoothing::kKneserNey, vocab, data.train);
    ReferenceKneserNey ref(order, vocab, data.train);
    // The reference has no rule for a zero count-of-counts (n3 = 0 or n4 = 0 happens for 4-grams of a small
    // corpus): there only the normalisation is checked.
    bool defined = true;
    for (int len = 1; len <= order; ++len)
      for (int c = 1; c <= 3; ++c) {
        if (!std::isfinite(ref.discount(len, c))) {
          defined = false;
          continue;
        }
        EXPECT_NEAR(m.discount(len, c), ref.discount(len, c), 1e-12) << order << " " << c;
      }
    // Every prefix of some training and held-out sentences (held-out ones include unseen contexts).
    std::vector<Sentence> probes(data.train.begin(), data.train.begin() + 6);
    for (const auto& s : data.heldout) {
      Sentence known;
      for (const auto w : s)
        if (w != text::Vocabulary::kUnknown) known.push_back(w);
      probes.push_back(known);
      if (probes.size() > 12) break;
    }
    for (const auto& s : probes)
      for (std::size_t i = 0; i <= s.size(); ++i) {
        const std::span<const std::uint32_t> prefix = std::span(s).first(i);
        std::vector<std::uint32_t> h{bos};
        h.insert(h.end(), prefix.begin(), prefix.end());
        double sum = 0;
        for (std::uint32_t w = 0; w <= vocab; ++w) {
          const double p = m.probability(prefix, w);
          sum += p;
          if (defined && (w < 40 || w == vocab)) {
            ASSERT_NEAR(p, ref.p(h, w), 1e-12) << "order " << order << " word " << w;
          }
        }
        ASSERT_NEAR(sum, 1.0, 1e-10) << "order " << order << " prefix length " << i;
      }
  }
}

TEST(NgramModel, EverySmoothingNormalisesInEveryContext) {
  const auto f = family("ngram");
  const auto& data = f.data();
  const std::uint32_t vocab = static_cast<std::uint32_t>(data.vocabulary.words.size());
  for (const auto s : {Smoothing::kMle, Smoothing::kAddK}) {
    for (const int order : {1, 2, 5}) {
      const auto m = fit(order, s, vocab, data.train, 0.25);
      for (std::size_t j = 0; j < 5; ++j) {
        const auto& sentence = data.train[j * 37];
        for (std::size_t i = 0; i <= sentence.size(); ++i) {
          double sum = 0;
          for (std::uint32_t w = 0; w <= vocab; ++w) sum += m.probability(std::span(sentence).first(i), w);
          ASSERT_NEAR(sum, 1.0, 1e-10) << "order " << order;
        }
      }
    }
  }
}

TEST(Ngram, HeldOutCrossEntropyMatchesADirectComputation) {
  const auto f = family("ngram(order=2)", ", floor=0.01");
  const auto& data = f.data();
  const double vocab = static_cast<double>(data.vocabulary.words.size());
  std::map<std::pair<std::uint32_t, std::uint32_t>, double> bigram;
  std::map<std::uint32_t, double> context;
  const std::uint32_t eos = static_cast<std::uint32_t>(vocab), bos = eos + 1;
  for (const auto& s : data.train) {
    std::uint32_t prev = bos;
    for (std::size_t i = 0; i <= s.size(); ++i) {
      const std::uint32_t w = i < s.size() ? s[i] : eos;
      bigram[{prev, w}] += 1;
      context[prev] += 1;
      prev = w;
    }
  }
  double bits = 0, n = 0;
  for (const auto& s : data.heldout) {
    std::uint32_t prev = bos;
    for (std::size_t i = 0; i <= s.size(); ++i) {
      const std::uint32_t w = i < s.size() ? s[i] : eos;
      if (w != text::Vocabulary::kUnknown) {
        double p = 0;
        if (prev != text::Vocabulary::kUnknown && context.count(prev)) {
          p = bigram.count({prev, w}) ? bigram[{prev, w}] / context[prev] : 0.0;
        } else {  // the context is unseen: the mle convention backs off to the unigram
          double total = 0, count = 0;
          for (const auto& [key, c] : bigram) {
            total += c;
            if (key.second == w) count += c;
          }
          p = count / total;
        }
        bits -= std::log2(0.99 * p + 0.01 / (vocab + 1));
        n += 1;
      }
      prev = w;
    }
  }
  EXPECT_NEAR(f.cross_entropy(f.truth().table), bits / n, 1e-12);
  std::vector<double> metrics(8);
  f.metrics(f.truth(), metrics);
  EXPECT_NEAR(metrics[1], std::exp2(bits / n), 1e-9);
  EXPECT_DOUBLE_EQ(metrics[2], static_cast<double>(data.heldout_oov) / static_cast<double>(data.heldout_words));
  EXPECT_DOUBLE_EQ(metrics[3], 1.0) << "the truth keeps the whole vocabulary";
}

// The first word of a sampled sentence follows P(. | <s>) exactly: chi-squared over the V + 1 tokens (</s> = an
// empty sentence), for each smoothing and for temperature 0.5 (mle: proportional to c(<s> w)^2).
TEST(Ngram, SampledNextWordFollowsTheModel) {
  const auto base = family("ngram");
  const auto& data = base.data();
  const std::uint32_t vocab = static_cast<std::uint32_t>(data.vocabulary.words.size());
  struct Setting {
    Smoothing s;
    double temperature;
  };
  for (const auto [s, temperature] : {Setting{Smoothing::kMle, 1.0}, Setting{Smoothing::kMle, 0.5},
                                      Setting{Smoothing::kAddK, 1.0}, Setting{Smoothing::kKneserNey, 1.0}}) {
    const auto m = fit(2, s, vocab, data.train, 0.05, temperature);
    const auto plain = fit(2, s, vocab, data.train, 0.05);
    std::vector<double> law(vocab + 1);
    double z = 0;
    for (std::uint32_t w = 0; w <= vocab; ++w) z += law[w] = std::pow(plain.probability({}, w), 1 / temperature);
    Rng rng(7, 0, 1, Stream::kSynthetic);
    std::vector<std::int64_t> firsts;
    Sentence out;
    for (int i = 0; i < 60000; ++i) {
      out.clear();
      m.sample_sentence(rng, 1, out);
      firsts.push_back(out.empty() ? vocab : out.front());
    }
    testing::DiscreteLaw d{0, vocab, [&](std::int64_t w) { return law[static_cast<std::size_t>(w)] / z; }, 0, 0};
    const auto g = testing::chi_squared_gof(firsts, d);
    EXPECT_GT(g.p, 1e-3) << "smoothing " << static_cast<int>(s) << " T=" << temperature << " chi2 " << g.stat
                         << " on " << g.cells << " cells";
  }
}

// add_k and kneser_ney at T < 1 (rejection from the untempered sampler): a trigram's first word (context <s>)
// and, after the most likely first word x, its second token (context <s> x, the whole back-off chain) follow
// P(. | h)^(1/T) normalised over all V + 1 tokens, by chi-squared. The proposals per first word are geometric
// with mean M^(1/T - 1) / sum_w P(w)^(1/T), M >= max_w P the bound; it is max_w P itself for add_k, and for
// kneser_ney whenever, as here, the likeliest word at each level of the chain was seen there. At T = 1 there is
// one proposal per token drawn.
TEST(Ngram, TemperedSmoothedSamplingIsExact) {
  const auto base = family("ngram");
  const auto& data = base.data();
  const std::uint32_t vocab = static_cast<std::uint32_t>(data.vocabulary.words.size());
  const auto gof = [&](const NgramModel& plain, const Sentence& prefix, double a,
                       const std::vector<std::int64_t>& draws) {
    std::vector<double> law(vocab + 1);
    double z = 0;
    for (std::uint32_t w = 0; w <= vocab; ++w) z += law[w] = std::pow(plain.probability(prefix, w), a);
    return testing::chi_squared_gof(
        draws, testing::DiscreteLaw{0, vocab, [&](std::int64_t w) { return law[static_cast<std::size_t>(w)] / z; }, 0, 0});
  };
  for (const auto s : {Smoothing::kAddK, Smoothing::kKneserNey}) {
    const auto plain = fit(3, s, vocab, data.train, 0.05);
    std::uint32_t x = 0;
    for (std::uint32_t w = 1; w < vocab; ++w)
      if (plain.probability({}, w) > plain.probability({}, x)) x = w;
    Rng rng(11, 0, 1, Stream::kSynthetic);
    Sentence out;
    for (int i = 0; i < 1000; ++i) {
      out.clear();
      const std::int64_t proposals = plain.sample_sentence(rng, 200, out);
      ASSERT_EQ(proposals, std::min<std::int64_t>(static_cast<std::int64_t>(out.size()) + 1, 200))
          << "T = 1: one proposal per token drawn";
    }
    for (const double temperature : {0.3, 0.5}) {
      const double a = 1 / temperature;
      const auto m = fit(3, s, vocab, data.train, 0.05, temperature);
      std::vector<std::int64_t> firsts, seconds;
      for (int i = 0; i < 200000; ++i) {
        out.clear();
        m.sample_sentence(rng, 2, out);
        firsts.push_back(out.empty() ? vocab : out[0]);
        if (!out.empty() && out[0] == x) seconds.push_back(out.size() > 1 ? out[1] : vocab);
      }
      const std::string what = std::string(s == Smoothing::kAddK ? "add_k" : "kneser_ney") + " T=" + std::to_string(temperature);
      const auto g1 = gof(plain, {}, a, firsts), g2 = gof(plain, {x}, a, seconds);
      EXPECT_GT(g1.p, 1e-4) << what << " first word: chi2 " << g1.stat << " on " << g1.cells << " cells";
      EXPECT_GT(g2.p, 1e-4) << what << " after x: chi2 " << g2.stat << " on " << g2.cells << " cells, "
                            << seconds.size() << " draws";

      double sum_pa = 0, max_p = 0;
      for (std::uint32_t w = 0; w <= vocab; ++w) {
        const double p = plain.probability({}, w);
        sum_pa += std::pow(p, a);
        max_p = std::max(max_p, p);
      }
      const double mean_min = std::pow(max_p, a - 1) / sum_pa;  // the mean proposals per token when M = max_w P
      double n = 0, sum = 0, sum2 = 0;
      for (int i = 0; i < 50000; ++i) {
        out.clear();
        const auto k = static_cast<double>(m.sample_sentence(rng, 1, out));
        n += 1;
        sum += k;
        sum2 += k * k;
      }
      const double mean = sum / n, se = std::sqrt((sum2 / n - mean * mean) / n);
      EXPECT_NEAR(mean, mean_min, 4.5 * se) << what;
    }
  }
}

TEST(Ngram, SentencesStopAtMaxLength) {
  // Two 6-word sentences over distinct words: the mle bigram model can only reproduce one of them.
  const std::vector<Sentence> six{{0, 1, 2, 3, 4, 5}, {6, 7, 8, 9, 10, 11}};
  const auto m = fit(2, Smoothing::kMle, 12, six);
  Rng rng(3, 0, 1, Stream::kSynthetic);
  for (int i = 0; i < 100; ++i) {
    Sentence out;
    m.sample_sentence(rng, 4, out);
    ASSERT_EQ(out.size(), 4u);
    Sentence whole;
    m.sample_sentence(rng, 100, whole);
    ASSERT_TRUE(whole == six[0] || whole == six[1]);
    ASSERT_TRUE(std::equal(out.begin(), out.end(), six[out.front() == 0 ? 0 : 1].begin())) << "a prefix of one";
  }
}

TEST(Ngram, TruthSamplesAreTheRealSentences) {
  const auto f = family("ngram");
  const auto& train = f.data().train;
  const auto size = static_cast<std::int64_t>(train.size());
  Rng rng(1, 0, 1, Stream::kSynthetic);
  std::vector<Sentence> out;
  f.sample(f.truth(), size, rng, out);
  EXPECT_EQ(out, train) << "n = N is exactly the training text";
  out.clear();
  f.sample(f.truth(), 2 * size + 5, rng, out);
  ASSERT_EQ(out.size(), static_cast<std::size_t>(2 * size + 5));
  EXPECT_TRUE(std::equal(train.begin(), train.end(), out.begin() + size));
  std::set<Sentence> rest(out.end() - 5, out.end());
  for (const auto& s : rest) EXPECT_NE(std::find(train.begin(), train.end(), s), train.end());
}

TEST(Ngram, ReplaceForgetsWordsForGoodUnderMle) {
  const std::string toml = "[experiment]\ngenerations = 6\nreplicates = 4\nsamples = 216\nregimes = [\"replace\"]\n"
                           "[truth]\nfamily = 'ngram(corpus=\"" + kSmall + "\")'\n[model]\nfamily = \"ngram\"\n"
                           "[output]\ntrajectories = true\n";
  const auto run = testing::run_toml(toml);
  const auto f = family("ngram");
  const auto& words = f.data().vocabulary;
  std::map<std::int64_t, std::vector<double>> alive;  // per replicate, by generation
  for (const auto& t : run.sink.trajectories)
    if (t.metric == "vocab_size") alive[t.replicate].push_back(t.value);
  ASSERT_EQ(alive.size(), 4u);
  for (const auto& [r, v] : alive) {
    EXPECT_EQ(v.front(), static_cast<double>(words.words.size()));
    for (std::size_t g = 1; g < v.size(); ++g) EXPECT_LE(v[g], v[g - 1]) << "mle replace: forgetting is final";
  }
  std::size_t forgotten = 0;
  for (const auto& row : run.sink.forgotten) {
    EXPECT_EQ(row.original_count, static_cast<double>(words.counts[words.id(row.item)])) << row.item;
    forgotten += row.forgotten_at > 0;
  }
  EXPECT_EQ(run.sink.forgotten.size(), 4 * words.words.size());
  EXPECT_GT(forgotten, 0u);
}

TEST(Ngram, BadInput) {
  const auto message = [](const std::string& truth, const std::string& model) {
    try {
      NgramFamily(parse_spec(truth), parse_spec(model));
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string ok = "ngram(corpus=\"" + kSmall + "\")";
  EXPECT_NE(message(ok, "ngram(order=6)").find("order"), std::string::npos);
  EXPECT_NE(message(ok, "ngram(order=0)").find("order"), std::string::npos);
  EXPECT_NE(message(ok, "ngram(smoothing=kneser_ney, temperature=1.5)").find("above 1 needs smoothing=mle"),
            std::string::npos);
  EXPECT_NE(message(ok, "ngram(smoothing=add_k, temperature=3)").find("above 1 needs smoothing=mle"), std::string::npos);
  EXPECT_EQ(message(ok, "ngram(smoothing=kneser_ney, temperature=0.3)"), "no error") << "T < 1 is exact by rejection";
  EXPECT_NE(message(ok, "ngram(smoothing=witten_bell)").find("smoothing"), std::string::npos);
  EXPECT_NE(message("ngram(corpus=\"/nonexistent/corpus\")", "ngram").find("does not exist"), std::string::npos);
  EXPECT_NE(message("ngram(corpus=\"" + kSmall + "\", heldout_fraction=0.01)", "ngram").find("too few"),
            std::string::npos);
  EXPECT_NE(message("ngram", "ngram").find("corpus"), std::string::npos);
}

}  // namespace
}  // namespace ouro
