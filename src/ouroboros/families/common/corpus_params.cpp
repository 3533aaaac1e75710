#include "ouroboros/families/common/corpus_params.hpp"

#include <fmt/format.h>

namespace ouro {

std::vector<ParamInfo> corpus_params(std::string corpus_help) {
  return {
      param::text("corpus", "", std::move(corpus_help)),
      param::word("format", {"plain", "brown"}, "plain",
                  "corpus layout: plain (one sentence per line) or brown (NLTK's tagged word/tag layout)"),
      param::number("heldout_fraction", "0.1", "fraction of the corpus documents held out for evaluation").above(0).below(1),
      param::flag("lowercase", true, "lowercase ASCII letters"),
      param::word("punctuation", {"keep", "drop"}, "keep", "keep or drop tokens made only of punctuation"),
  };
}

CorpusParams read_corpus_params(SpecReader& r, std::string_view what) {
  CorpusParams c;
  c.path = r.text("corpus");
  c.format = r.word("format") == "brown" ? text::CorpusFormat::kBrown : text::CorpusFormat::kPlain;
  c.heldout_fraction = r.number("heldout_fraction");
  c.options.lowercase = r.flag("lowercase");
  c.options.drop_punctuation = r.word("punctuation") == "drop";
  c.where = fmt::format("{} parameter 'corpus={}'", what, c.path);
  return c;
}

nlohmann::json CorpusParams::describe() const {
  return {{"format", format == text::CorpusFormat::kBrown ? "brown" : "plain"},
          {"heldout_fraction", heldout_fraction},
          {"lowercase", options.lowercase},
          {"punctuation", options.drop_punctuation ? "drop" : "keep"}};
}

}  // namespace ouro
