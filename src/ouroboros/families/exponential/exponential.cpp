#include "ouroboros/families/exponential/exponential.hpp"

#include "ouroboros/engine/simulator_for.hpp"

namespace ouro {

OUROBOROS_REGISTER_FAMILY(ExponentialFamily);

}  // namespace ouro
