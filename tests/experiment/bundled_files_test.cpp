// Every experiment file shipped in examples/ and bench/ parses and validates against its family, so the files
// the README points to cannot silently rot. (Running them is left to the examples themselves.)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/family.hpp"
#include "ouroboros/data/fashion_mnist.hpp"
#include "ouroboros/data/idx.hpp"
#include "ouroboros/experiment/config.hpp"
#include "ouroboros/experiment/plan_runner.hpp"

namespace ouro {
namespace {

// The data/cache/... path a file names (fetched by a scripts/fetch_*.sh step, not shipped), or "".
std::string fetched_data(const std::filesystem::path& file) {
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto start = text.find("data/cache/");
  if (start == std::string::npos) return "";
  const auto end = text.find_first_of("\"', )\n", start);
  return text.substr(start, end - start);
}

// A family this build leaves out (OUROBOROS_OPTIONAL_FAMILIES turned off, as in the sanitizer builds) that the file
// names; "" when it names none.
std::string family_not_built(const std::filesystem::path& file) {
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string list = OUROBOROS_FAMILIES_NOT_BUILT;
  for (std::size_t start = 0; start < list.size();) {
    const std::size_t end = std::min(list.find(',', start), list.size());
    const std::string name = list.substr(start, end - start);
    if (!name.empty() && text.find(name + "(") != std::string::npos) return name;
    start = end + 1;
  }
  return "";
}

TEST(BundledFiles, EveryExperimentFileIsValid) {
  // Data paths in the files are relative to the repository root, where the README runs them from.
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(OUROBOROS_SOURCE_DIR);
  int checked = 0;
  for (const char* folder : {"examples", "bench"}) {
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(OUROBOROS_SOURCE_DIR) / folder)) {
      if (entry.path().extension() != ".toml") continue;
      SCOPED_TRACE(entry.path().string());
      if (const auto family = family_not_built(entry.path()); !family.empty()) {
        std::cout << "[ SKIPPED  ] " << entry.path().filename().string() << ": family " << family
                  << " is not in this build\n";
        continue;
      }
      if (const auto data = fetched_data(entry.path()); !data.empty() && !std::filesystem::exists(data)) {
        std::cout << "[ SKIPPED  ] " << entry.path().filename().string() << ": " << data << " is not fetched\n";
        continue;
      }
      try {
        // Every point of a sweep, as `ouroboros run` checks them before it writes anything.
        check_plan(load_plan(entry.path().string(), {}));
      } catch (const UserError& e) {
        // Examples on Fashion-MNIST need the Debian package's files (scripts/fetch_fashion_mnist.sh).
        const std::string message = e.what();
        if (message.find(kFashionMnistPackage) != std::string::npos && !fashion_mnist_present(kFashionMnistDir)) {
          std::cout << "[ SKIPPED  ] " << entry.path().filename().string() << ": Fashion-MNIST is not readable\n";
          continue;
        }
        ADD_FAILURE() << e.what();
      }
      ++checked;
    }
  }
  std::filesystem::current_path(cwd);
  EXPECT_GE(checked, 8) << "quickstart, five paper examples, two benchmark workloads";
}

}  // namespace
}  // namespace ouro
