#pragma once
// The processes of one `ouroboros run`: an MPI job when this program was built with Open MPI (OUROBOROS_MPI=ON)
// and started by mpirun (or srun --mpi=pmix), else one process (no group). Built without MPI, a serial stub
// takes its place, so the run has one code path; it refuses a start by an MPI launcher, where every process
// would run the whole experiment into the same store.
#include <memory>

#include "ouroboros/experiment/transport.hpp"

namespace ouro {

class ProcessGroup : public Transport {
 public:
  [[noreturn]] virtual void abort(int code) = 0;  // ends every process of the job with this exit status
  virtual int local_size() const = 0;             // processes of the job on this machine
};

// Null: one process. Throws UserError for a launcher this build cannot serve.
std::unique_ptr<ProcessGroup> join_process_group();

}  // namespace ouro
