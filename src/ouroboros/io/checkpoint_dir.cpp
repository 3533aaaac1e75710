#include "ouroboros/io/checkpoint_dir.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "ouroboros/io/atomic_file.hpp"

namespace ouro {

CheckpointDir::CheckpointDir(std::filesystem::path dir, std::string stamp)
    : dir_(std::move(dir)), stamp_(std::move(stamp) + "\n") {}

std::filesystem::path CheckpointDir::file(std::uint64_t replicate) const {
  return dir_ / fmt::format("r{}.ckpt", replicate);
}

void CheckpointDir::save(const std::string&, std::uint64_t replicate, const std::string& bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create the checkpoint directory {}: {}", dir_.string(), ec.message()));
  AtomicFile out(file(replicate));
  out.write(stamp_);
  out.write(bytes);
  out.commit();
}

std::optional<std::string> CheckpointDir::load(const std::string&, std::uint64_t replicate) const {
  std::ifstream in(file(replicate), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  std::string bytes = std::move(text).str();
  if (bytes.compare(0, stamp_.size(), stamp_) != 0) return std::nullopt;  // another build or configuration
  return bytes.substr(stamp_.size());
}

}  // namespace ouro
