// Experiment files (TOML, with [sweep] tables): parsed into a plan or refused with UserError, never a crash.
#include <cstdint>
#include <string>

#include "ouroboros/core/error.hpp"
#include "ouroboros/experiment/plan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const ouro::Plan plan = ouro::parse_plan(text, "fuzz.toml", {});
    (void)plan.identity().dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (const ouro::UserError&) {
  }
  return 0;
}
