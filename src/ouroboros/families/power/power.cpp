#include "ouroboros/families/power/power.hpp"

#include "ouroboros/engine/simulator_for.hpp"

namespace ouro {

OUROBOROS_REGISTER_FAMILY(PowerFamily);

}  // namespace ouro
