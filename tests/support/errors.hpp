#pragma once
// Test support: the message of the UserError that binding a family spec throws ("" when none is thrown).
#include <string>

#include "ouroboros/core/error.hpp"
#include "ouroboros/engine/family.hpp"

namespace ouro::testing {

inline std::string simulator_error(const std::string& truth, const std::string& model) {
  try {
    make_simulator(truth, model);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

}  // namespace ouro::testing
