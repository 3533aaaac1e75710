#pragma once
// Checkpoints of one replicate-major unit (one regime) as files, one per replicate (<dir>/r<replicate>.ckpt), each written
// atomically (a reader never sees half a file). A file starts with a stamp (the build and the store's identity),
// so a checkpoint left by another build or another configuration is never restored, and ends with a checksum, so
// one torn by a crash is not either: it is ignored and that replicate starts again from generation 1.
#include <filesystem>
#include <optional>
#include <string>

#include "ouroboros/experiment/runner.hpp"

namespace ouro {

class CheckpointDir final : public CheckpointStore {
 public:
  CheckpointDir(std::filesystem::path dir, std::string stamp);
  void save(const std::string& regime, std::uint64_t replicate, const std::string& bytes) override;
  std::optional<std::string> load(const std::string& regime, std::uint64_t replicate) const override;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path file(std::uint64_t replicate) const;
  std::filesystem::path dir_;
  std::string stamp_;
};

}  // namespace ouro
