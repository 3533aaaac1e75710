// categorical(dist=corpus): the truth is the training documents' word counts over their total, with the words as
// symbol labels (checked against counts made here by an independent reading of the shipped small corpus), the
// same vocabulary as the text loader gives the ngram family, Suresh et al.'s Corollary 1 attached to `support`
// under replace and met by a simulation, forgetting rows labelled by word, and the loader's errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "ouroboros/core/error.hpp"
#include "ouroboros/families/categorical/truth_builder.hpp"
#include "ouroboros/text/dataset.hpp"
#include "support/collect.hpp"

namespace ouro {
namespace {

const std::string kSmall = std::string(OUROBOROS_SOURCE_DIR) + "/tests/data/corpus/small";
const std::string kTruth = "categorical(dist=corpus, corpus=\"" + kSmall + "\")";

bool punct(char c) { return std::ispunct(static_cast<unsigned char>(c)) != 0; }

// The documented plain-text rules, written out again: one document per file (sorted by name), tokens split on
// white space, ASCII punctuation at either end of a token split off one character at a time, ASCII lowercased;
// document i of D is held out iff floor((i + 1) f) > floor(i f). Returns the training documents' word counts.
std::map<std::string, std::int64_t> training_word_counts(double f) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(kSmall)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::map<std::string, std::int64_t> counts;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (std::floor(static_cast<double>(i + 1) * f) > std::floor(static_cast<double>(i) * f)) continue;
    std::ifstream in(files[i]);
    for (std::string token; in >> token;) {
      for (char& c : token) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::size_t a = 0, b = token.size();
      while (a < b && punct(token[a])) ++counts[std::string(1, token[a++])];
      std::vector<std::string> tail;
      while (b > a && punct(token[b - 1])) tail.emplace_back(1, token[--b]);
      if (b > a) ++counts[token.substr(a, b - a)];
      for (const auto& t : tail) ++counts[t];
    }
  }
  return counts;
}

TEST(CategoricalCorpusTruth, ProbabilitiesAreTrainingWordCountsOverTheirTotal) {
  for (const double f : {0.1, 0.25}) {
    const auto expected = training_word_counts(f);
    std::int64_t total = 0;
    for (const auto& [w, c] : expected) total += c;
    const auto t = build_categorical_truth(parse_spec(
        "categorical(corpus=\"" + kSmall + "\", heldout_fraction=" + std::to_string(f) + ")"));  // dist inferred
    ASSERT_EQ(t.labels.size(), expected.size()) << "f = " << f;
    ASSERT_EQ(t.p.size(), expected.size());
    for (std::size_t i = 0; i < t.p.size(); ++i) {
      ASSERT_TRUE(expected.contains(t.labels[i])) << "label '" << t.labels[i] << "' is not a training word";
      EXPECT_DOUBLE_EQ(t.p[i], static_cast<double>(expected.at(t.labels[i])) / static_cast<double>(total))
          << t.labels[i];
      if (i > 0) {
        EXPECT_LE(t.p[i], t.p[i - 1]) << "symbols come by decreasing count";
      }
    }
    EXPECT_EQ(t.description["total_count"], total);
    EXPECT_EQ(t.description["dist"], "corpus");
  }
}

TEST(CategoricalCorpusTruth, SymbolsAreTheTextLoadersVocabulary) {
  const auto t = build_categorical_truth(parse_spec("categorical(dist=corpus, corpus=\"" + kSmall +
                                                    "\", punctuation=drop, lowercase=false)"));
  text::TokenizeOptions options;
  options.lowercase = false;
  options.drop_punctuation = true;
  const auto data = text::build_dataset(text::load_corpus(kSmall, text::CorpusFormat::kPlain, options, "x"), 0.1, "x");
  EXPECT_EQ(t.labels, data.vocabulary.words) << "the ngram family's vocabulary, in the same order";
  EXPECT_EQ(std::count(t.labels.begin(), t.labels.end(), "."), 0);
  EXPECT_GT(std::count(t.labels.begin(), t.labels.end(), "The"), 0) << "lowercase=false keeps capitals";
}

TEST(CategoricalCorpusTruth, CorollaryOneHoldsAndForgettingIsLabelledByWord) {
  const auto t = build_categorical_truth(parse_spec(kTruth));
  const auto n = t.description["total_count"].get<std::int64_t>();
  const std::int64_t replicates = 300;
  const auto run = testing::run_toml(testing::experiment_toml(
      kTruth, "categorical", 40, replicates, n,
      "[\"replace\", \"accumulate\"]"));
  for (const std::int64_t k : {1, 2, 5, 10, 20, 40}) {
    const auto& row = run.sink.at("replace", k, "support");
    ASSERT_FALSE(std::isnan(row.theory.lo) || std::isnan(row.theory.hi)) << "k = " << k;
    EXPECT_NE(row.theory.source.find("Corollary 1"), std::string_view::npos);
    // A sum of indicators over m symbols: the se is at least that of one symbol's indicator, which keeps the
    // tolerance positive when every replicate agrees.
    const double tol = 4 * std::max(row.stats.se, std::sqrt(0.25 / static_cast<double>(replicates)));
    EXPECT_GE(row.stats.mean, row.theory.lo - tol) << "k = " << k;
    EXPECT_LE(row.stats.mean, row.theory.hi + tol) << "k = " << k;
    // Generation 1 is the same law in every regime; later, Corollary 1 is for replace only.
    if (k == 1)
      EXPECT_EQ(run.sink.at("accumulate", k, "support").theory.lo, row.theory.lo);
    else
      EXPECT_TRUE(std::isnan(run.sink.at("accumulate", k, "support").theory.lo)) << "Corollary 1 is for replace";
  }
  EXPECT_LT(run.sink.at("replace", 40, "support").stats.mean, static_cast<double>(t.p.size()) - 1)
      << "words are forgotten within the run";

  const std::set<std::string> words(t.labels.begin(), t.labels.end());
  std::map<std::int64_t, double> real_total;  // per replicate, under replace
  std::size_t forgotten = 0;
  for (const auto& row : run.sink.forgotten) {
    ASSERT_TRUE(words.contains(row.item)) << row.item;
    if (row.regime != "replace") continue;
    real_total[row.replicate] += row.original_count;
    forgotten += row.forgotten_at > 0;
    if (row.original_count == 0) {
      EXPECT_EQ(row.forgotten_at, 1) << "absent from the real batch: gone at once";
    }
  }
  EXPECT_EQ(run.sink.forgotten.size(), 2 * static_cast<std::size_t>(replicates) * words.size());
  for (const auto& [r, total] : real_total) EXPECT_EQ(total, static_cast<double>(n)) << "the real batch has n words";
  EXPECT_GT(forgotten, 0u);
}

TEST(CategoricalCorpusTruth, BadInputGivesTheLoadersMessages) {
  const auto message = [](const std::string& spec) {
    try {
      build_categorical_truth(parse_spec(spec));
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const auto has = [](const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  };
  const std::string missing = message("categorical(dist=corpus, corpus=\"/nonexistent/corpus\")");
  EXPECT_TRUE(has(missing, "does not exist") && has(missing, "/nonexistent/corpus")) << missing;
  EXPECT_TRUE(has(message("categorical(corpus=\"" + kSmall + "\", heldout_fraction=0.01)"), "too few"));
  EXPECT_TRUE(has(message("categorical(corpus=\"" + kSmall + "\", heldout_fraction=1)"), "must be in (0, 1)"));
  EXPECT_TRUE(has(message("categorical(corpus=\"" + kSmall + "/01_harbour.txt\", format=brown)"), "directory"));
  EXPECT_TRUE(has(message("categorical(corpus=\"" + kSmall + "\", format=html)"), "format"));
  EXPECT_TRUE(has(message("categorical(dist=corpus)"), "'corpus' is required"));
  EXPECT_TRUE(has(message("categorical(dist=zipf, m=5, corpus=\"" + kSmall + "\")"), "does not apply"));

  const auto dir = std::filesystem::temp_directory_path() / ("ouroboros_corpus_truth_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string empty = message("categorical(corpus=\"" + dir.string() + "\")");
  EXPECT_TRUE(has(empty, "holds no sentence")) << empty;
  std::ofstream(dir / "a.txt") << "fine line\nbad \xff\xfe line\n";
  const std::string utf8 = message("categorical(corpus=\"" + dir.string() + "\")");
  EXPECT_TRUE(has(utf8, "a.txt:2 is not valid UTF-8")) << utf8;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ouro
