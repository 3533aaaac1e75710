#pragma once
// How the processes of one distributed run talk to each other (MPI ranks, or threads in a test). Rank 0 writes
// the store; every rank runs work units. The run itself (distributed_runner.hpp) is written against this
// interface only: the front end picks the implementation (Open MPI when built with it and started by mpirun).
#include <optional>
#include <string>
#include <string_view>

namespace ouro {

struct Message {
  int from = -1;
  int tag = 0;
  std::string bytes;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual void send(int to, int tag, std::string_view bytes) = 0;
  virtual std::optional<Message> poll() = 0;  // a message from any rank if one is waiting, else none
  virtual Message receive() = 0;              // waits for a message from any rank
  virtual std::string where() const { return "rank " + std::to_string(rank()); }  // for messages: rank and host
};

}  // namespace ouro
