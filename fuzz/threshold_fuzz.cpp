// Threshold events ("sigma > 0.1", experiment.until, metrics.first): parsed or refused with UserError; a parsed
// event's label parses back to the same event.
#include <cstdint>
#include <string>

#include "ouroboros/core/error.hpp"
#include "ouroboros/experiment/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const ouro::Threshold t = ouro::parse_threshold(text);
    const ouro::Threshold back = ouro::parse_threshold(t.label());
    if (back.metric != t.metric || back.op != t.op) __builtin_trap();
  } catch (const ouro::UserError&) {
  }
  return 0;
}
