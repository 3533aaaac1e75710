#include "ouroboros/core/parallel.hpp"

namespace ouro {

unsigned resolve_threads(unsigned requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace ouro
