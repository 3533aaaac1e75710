// IDX bytes: parsed into an array whose data size is the product of its dimensions, or refused with UserError.
#include <cstdint>
#include <span>

#include "ouroboros/core/error.hpp"
#include "ouroboros/data/idx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const ouro::IdxArray a = ouro::parse_idx(std::span(data, size), "fuzz.idx");
    std::size_t count = 1;
    for (const auto d : a.dims) count *= d;
    if (count != a.data.size()) __builtin_trap();
  } catch (const ouro::UserError&) {
  }
  return 0;
}
