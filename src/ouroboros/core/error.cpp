#include "ouroboros/core/error.hpp"

#include <fmt/format.h>

namespace ouro {

void rethrow_with_context(const UserError& e, const std::string& context) {
  throw UserError(fmt::format("{}: {}", context, e.what()));
}

}  // namespace ouro
