#pragma once
// A corpus split into training and held-out documents, coded with the training vocabulary.
//
// Split      by document, deterministic and spread evenly over the corpus order (Brown's documents are sorted
//            by genre, so every genre is represented): with f = heldout_fraction and documents numbered
//            i = 0..D-1 in load order, document i is held out iff floor((i + 1) f) > floor(i f). That holds
//            out floor(D f) documents. Fewer than one held-out or one training document is a UserError.
// Vocabulary the distinct words of the training documents, with ids 0..V-1 by decreasing count (ties in byte
//            order). Held-out words outside it are coded kUnknown.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "ouroboros/text/corpus.hpp"

namespace ouro::text {

using Sentence = std::vector<std::uint32_t>;

struct Vocabulary {
  static constexpr std::uint32_t kUnknown = 0xFFFFFFFFu;
  std::vector<std::string> words;    // by id
  std::vector<std::int64_t> counts;  // training count of each word
  std::uint32_t id(const std::string& word) const;  // kUnknown when absent

  std::unordered_map<std::string, std::uint32_t> index;
};

struct DocumentSplit {
  std::vector<std::size_t> train, heldout;  // document indices, increasing
};

DocumentSplit split_by_document(std::size_t documents, double heldout_fraction, const std::string& what);

struct TextDataset {
  Vocabulary vocabulary;
  std::vector<Sentence> train, heldout;
  std::size_t train_documents = 0, heldout_documents = 0;
  std::int64_t train_words = 0, heldout_words = 0, heldout_oov = 0;
};

TextDataset build_dataset(const std::vector<TextDocument>& documents, double heldout_fraction, const std::string& what);

}  // namespace ouro::text
