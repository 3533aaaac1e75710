#pragma once
// The corpus parameters shared by categorical(dist=corpus) and ngram: one declaration and one reader, so both
// families accept the same words and split and tokenise a corpus the same way.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ouroboros/core/spec.hpp"
#include "ouroboros/text/corpus.hpp"

namespace ouro {

struct CorpusParams {
  std::string path;
  text::CorpusFormat format = text::CorpusFormat::kPlain;
  double heldout_fraction = 0.1;
  text::TokenizeOptions options;
  std::string where;  // names the corpus in messages: "<what> parameter 'corpus=<path>'"
  nlohmann::json describe() const;  // format, heldout_fraction, lowercase, punctuation
};

// corpus (required), format, heldout_fraction, lowercase, punctuation.
std::vector<ParamInfo> corpus_params(std::string corpus_help);
CorpusParams read_corpus_params(SpecReader& r, std::string_view what);

}  // namespace ouro
