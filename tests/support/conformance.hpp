#pragma once
// The shared conformance suite (tests/families/conformance_test.cpp) runs every registered family through the
// generic Simulator interface. Each family registers its own case from its folder, with its example specs and its
// test budget:
//   OUROBOROS_CONFORMANCE_CASE(gmm, {"gmm(k=2, d=2)", "gmm", 30});
// A registered family without a case fails ConformanceRegistry.EveryFamilyHasACase.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ouro::testing {

struct ConformanceCase {
  std::string truth, model;  // example specs; OUROBOROS_SOURCE_DIR reaches the test data
  std::int64_t small_n;      // per-generation samples of the kernel comparison
  std::size_t kernel_replicates = 1500;  // chains per kernel in the comparison (the family's test budget)
  std::int64_t recovery_n = 200000;      // the "large real batch" of the recovery test; 0: the real sample size
  // The metrics the recovery test compares (empty: every one). A family whose other metrics score a fitted network
  // (an image model's sample quality) rather than its training data lists the data ones: a small test fit cannot
  // match what the truth's real images score.
  std::vector<std::string> recovery_metrics = {};
};

bool register_conformance_case(const std::string& family, ConformanceCase c);
const std::map<std::string, ConformanceCase>& conformance_cases();

}  // namespace ouro::testing

#define OUROBOROS_CONFORMANCE_CASE(family, ...)                     \
  [[maybe_unused]] static const bool ouroboros_conformance_##family = \
      ::ouro::testing::register_conformance_case(#family, ::ouro::testing::ConformanceCase __VA_ARGS__)
