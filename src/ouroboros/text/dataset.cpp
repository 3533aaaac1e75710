#include "ouroboros/text/dataset.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "ouroboros/core/error.hpp"

namespace ouro::text {

std::uint32_t Vocabulary::id(const std::string& word) const {
  const auto it = index.find(word);
  return it == index.end() ? kUnknown : it->second;
}

DocumentSplit split_by_document(std::size_t documents, double heldout_fraction, const std::string& what) {
  DocumentSplit s;
  for (std::size_t i = 0; i < documents; ++i) {
    const bool held = std::floor(static_cast<double>(i + 1) * heldout_fraction) >
                      std::floor(static_cast<double>(i) * heldout_fraction);
    (held ? s.heldout : s.train).push_back(i);
  }
  if (s.heldout.empty() || s.train.empty())
    throw UserError(fmt::format("{}: the corpus has {} document(s), too few for heldout_fraction={}: the split keeps "
                                "{} for training and {} held out, and needs at least one of each (give a larger "
                                "corpus or change heldout_fraction)",
                                what, documents, heldout_fraction, s.train.size(), s.heldout.size()));
  return s;
}

TextDataset build_dataset(const std::vector<TextDocument>& documents, double heldout_fraction, const std::string& what) {
  const DocumentSplit split = split_by_document(documents.size(), heldout_fraction, what);
  TextDataset d;
  d.train_documents = split.train.size();
  d.heldout_documents = split.heldout.size();
  std::unordered_map<std::string, std::int64_t> counts;
  for (const auto i : split.train)
    for (const auto& s : documents[i].sentences)
      for (const auto& w : s) ++counts[w];
  std::vector<std::pair<std::string, std::int64_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  if (sorted.size() >= Vocabulary::kUnknown / 2)
    throw UserError(fmt::format("{}: the training vocabulary has {} words, beyond the 2^31 supported", what, sorted.size()));
  Vocabulary& v = d.vocabulary;
  for (auto& [word, count] : sorted) {
    v.index.emplace(word, static_cast<std::uint32_t>(v.words.size()));
    v.words.push_back(word);
    v.counts.push_back(count);
  }
  const auto encode = [&](const std::vector<std::size_t>& which, std::vector<Sentence>& out, std::int64_t& words,
                          std::int64_t* oov) {
    for (const auto i : which)
      for (const auto& s : documents[i].sentences) {
        Sentence coded;
        coded.reserve(s.size());
        for (const auto& w : s) {
          coded.push_back(v.id(w));
          if (oov && coded.back() == Vocabulary::kUnknown) ++*oov;
        }
        words += static_cast<std::int64_t>(s.size());
        out.push_back(std::move(coded));
      }
  };
  encode(split.train, d.train, d.train_words, nullptr);
  encode(split.heldout, d.heldout, d.heldout_words, &d.heldout_oov);
  return d;
}

}  // namespace ouro::text
