// Built without MPI: one process. A start by an MPI launcher as one of several processes is refused.
#include <fmt/format.h>

#include <cstdlib>
#include <string>

#include "ouroboros/core/error.hpp"
#include "process_group.hpp"

namespace ouro {

std::unique_ptr<ProcessGroup> join_process_group() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "SLURM_NTASKS"})
    if (const char* value = std::getenv(name); value && std::atoi(value) > 1)
      throw UserError(fmt::format("started as one of {} processes ({}={}), but this ouroboros was built without MPI: "
                                  "every process would run the whole experiment; rebuild with -DOUROBOROS_MPI=ON "
                                  "(the Quick start's default) or run one process",
                                  value, name, value));
  return nullptr;
}

}  // namespace ouro
