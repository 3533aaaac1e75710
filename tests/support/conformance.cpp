#include "support/conformance.hpp"

#include <stdexcept>

namespace ouro::testing {

namespace {
std::map<std::string, ConformanceCase>& cases() {
  static std::map<std::string, ConformanceCase> c;  // filled during static initialisation, read by the tests
  return c;
}
}  // namespace

bool register_conformance_case(const std::string& family, ConformanceCase c) {
  if (!cases().emplace(family, std::move(c)).second) throw std::logic_error("two conformance cases for " + family);
  return true;
}

const std::map<std::string, ConformanceCase>& conformance_cases() { return cases(); }

}  // namespace ouro::testing
