// Open MPI: the process group of a job started by mpirun (or srun --mpi=pmix). Only the thread that joined
// calls MPI (MPI_THREAD_FUNNELED): rank 0's store writer; the units' own threads never do.
//
// Built as a module (ouroboros_mpi), which process_group.cpp loads only when a launcher started the process:
// linking Open MPI into the program cost every start about 3 ms of loading and relocating its libraries.
#include <fmt/format.h>
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "process_group.hpp"

namespace ouro {

namespace {

int env_int(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::atoi(value) : 0;
}

class MpiGroup final : public ProcessGroup {
 public:
  MpiGroup() {
    // Waiting ranks yield the processor instead of spinning (unless the user chose otherwise): rank 0 writes
    // while the others wait for it, often on the same cores.
    setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
    int provided = 0;
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
      throw std::runtime_error("MPI: MPI_Init_thread failed");
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    char host[MPI_MAX_PROCESSOR_NAME] = {};
    int length = 0;
    MPI_Get_processor_name(host, &length);
    host_.assign(host, static_cast<std::size_t>(length));
    local_size_ = std::max(1, env_int("OMPI_COMM_WORLD_LOCAL_SIZE"));
  }
  ~MpiGroup() override { MPI_Finalize(); }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_size() const override { return local_size_; }
  std::string where() const override { return fmt::format("rank {} on {}", rank_, host_); }

  void send(int to, int tag, std::string_view bytes) override {
    if (bytes.size() > static_cast<std::size_t>(INT_MAX))
      throw std::runtime_error(fmt::format("MPI: a message of {} bytes is over the 2 GiB one send takes (a unit's "
                                           "records: fewer trajectories, or more points)", bytes.size()));
    check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, to, tag, MPI_COMM_WORLD), "MPI_Send");
  }
  std::optional<Message> poll() override {
    int flag = 0;
    MPI_Status status;
    check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
    if (!flag) return std::nullopt;
    return take(status);
  }
  Message receive() override {
    MPI_Status status;
    check(MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &status), "MPI_Probe");
    return take(status);
  }
  [[noreturn]] void abort(int code) override {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
  }

 private:
  static void check(int status, const char* call) {
    if (status != MPI_SUCCESS) throw std::runtime_error(fmt::format("MPI: {} failed (error {})", call, status));
  }
  Message take(MPI_Status& status) {
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    Message m;
    m.from = status.MPI_SOURCE;
    m.tag = status.MPI_TAG;
    m.bytes.resize(static_cast<std::size_t>(count));
    check(MPI_Recv(m.bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
                   MPI_STATUS_IGNORE),
          "MPI_Recv");
    return m;
  }
  int rank_ = 0, size_ = 1, local_size_ = 1;
  std::string host_;
};

}  // namespace

}  // namespace ouro

// The module's entry point (process_group.cpp): the job's group, or null for a job of one process (mpirun -n 1,
// which runs as without mpirun). On failure: null, with the message in `error`.
extern "C" __attribute__((visibility("default"))) ouro::ProcessGroup* ouroboros_mpi_join(char* error,
                                                                                         std::size_t error_size) {
  try {
    auto group = std::make_unique<ouro::MpiGroup>();
    if (group->size() == 1) return nullptr;
    return group.release();
  } catch (const std::exception& e) {
    const std::size_t n = std::min(error_size - 1, std::strlen(e.what()));
    std::memcpy(error, e.what(), n);
    error[n] = '\0';
    return nullptr;
  }
}
