// Built with MPI: a start by Open MPI's launcher joins the job through the ouroboros_mpi module (mpi_module.cpp),
// loaded only then; any other start is one process and never loads Open MPI.
#include "process_group.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <stdexcept>

#include "ouroboros/core/error.hpp"
#include "ouroboros/families/common/module_loader.hpp"

namespace ouro {

namespace {
int env_int(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::atoi(value) : 0;
}
}  // namespace

std::unique_ptr<ProcessGroup> join_process_group() {
  // Only a job started by a launcher joins: a plain start stays one process without touching MPI.
  const bool open_mpi = std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK");
  if (!open_mpi) {
    for (const char* name : {"PMI_SIZE", "SLURM_NTASKS"})
      if (env_int(name) > 1)
        throw UserError(fmt::format("started as one of {} processes ({}={}) by a launcher that is not Open MPI's: "
                                    "start it with Open MPI's mpirun, or srun --mpi=pmix under SLURM",
                                    env_int(name), name, env_int(name)));
    return nullptr;
  }
  // RTLD_GLOBAL: Open MPI loads its own components, which look for its symbols in the global scope.
  using Join = ProcessGroup* (*)(char*, std::size_t);
  Join join = nullptr;
  try {
    join = reinterpret_cast<Join>(
        module_symbol("OUROBOROS_MPI_MODULE", OUROBOROS_MPI_MODULE_PATH, RTLD_GLOBAL, "ouroboros_mpi_join"));
  } catch (const std::runtime_error& e) {
    throw UserError(fmt::format("started by an MPI launcher, but Open MPI's part of ouroboros is not there: {}",
                                e.what()));
  }
  char error[512] = {};
  std::unique_ptr<ProcessGroup> group(join(error, sizeof error));
  if (!group && error[0] != '\0') throw UserError(error);
  return group;
}

}  // namespace ouro
