// Every experiment file shipped in examples/ and bench/ parses and validates against its family, so the files
// the README points to cannot silently rot. (Running them is left to the examples themselves.)
#include <gtest/gtest.h>

#include <filesystem>

#include "ouroboros/core/error.hpp"
#include "ouroboros/core/family.hpp"
#include "ouroboros/experiment/config.hpp"

namespace ouro {
namespace {

TEST(BundledFiles, EveryExperimentFileIsValid) {
  int checked = 0;
  for (const char* folder : {"examples", "bench"}) {
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(OUROBOROS_SOURCE_DIR) / folder)) {
      if (entry.path().extension() != ".toml") continue;
      SCOPED_TRACE(entry.path().string());
      try {
        const ExperimentConfig config = load_config(entry.path().string(), {});
        const auto simulator = make_simulator(config.truth_family, config.model_family);
        check_against_family(config, *simulator);
      } catch (const UserError& e) {
        ADD_FAILURE() << e.what();
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 8) << "quickstart, five paper examples, two benchmark workloads";
}

}  // namespace
}  // namespace ouro
