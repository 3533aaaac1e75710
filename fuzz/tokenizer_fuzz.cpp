// The corpus tokeniser: any line, in both formats and with every option, gives tokens without a crash.
#include <cstdint>
#include <string_view>

#include "ouroboros/core/error.hpp"
#include "ouroboros/text/corpus.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view line(reinterpret_cast<const char*>(data) + 1, size - 1);
  ouro::text::TokenizeOptions options;
  options.lowercase = (data[0] & 1) != 0;
  options.drop_punctuation = (data[0] & 2) != 0;
  const auto format = (data[0] & 4) != 0 ? ouro::text::CorpusFormat::kBrown : ouro::text::CorpusFormat::kPlain;
  try {
    (void)ouro::text::tokenize_line(line, format, options);
  } catch (const ouro::UserError&) {
  }
  return 0;
}
