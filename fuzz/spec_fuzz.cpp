// Spec strings ("categorical(dist=zipf, m=10)"): any bytes either parse, and then print and parse back to the same
// spec, or throw UserError. Anything else (a crash, another exception) is a bug.
#include <cstdint>
#include <string>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const ouro::Spec spec = ouro::parse_spec(text);
    const std::string printed = spec.to_string();
    if (ouro::parse_spec(printed).to_string() != printed) __builtin_trap();  // the round trip must hold
  } catch (const ouro::UserError&) {
  }
  return 0;
}
