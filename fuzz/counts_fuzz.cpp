// Counts files (`count` or `symbol count` per line): read into a categorical truth or refused with UserError.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/spec.hpp"
#include "ouroboros/families/categorical/truth_builder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/ouroboros_counts_fuzz_" + std::to_string(::getpid()) + ".txt";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    const auto truth = ouro::build_categorical_truth(ouro::parse_spec("categorical(file=\"" + path + "\")"));
    double total = 0;
    for (const double p : truth.p) total += p;
    if (!(total > 0.999 && total < 1.001)) __builtin_trap();  // a truth that is read is a distribution
  } catch (const ouro::UserError&) {
  }
  return 0;
}
