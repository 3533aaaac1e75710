#include "ouroboros/io/checkpoint_dir.hpp"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "ouroboros/io/atomic_file.hpp"

namespace ouro {

namespace {
std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}
}  // namespace

CheckpointDir::CheckpointDir(std::filesystem::path dir, std::string stamp)
    : dir_(std::move(dir)), stamp_(std::move(stamp) + "\n") {}

std::filesystem::path CheckpointDir::file(std::uint64_t replicate) const {
  return dir_ / fmt::format("r{}.ckpt", replicate);
}

void CheckpointDir::save(const std::string&, std::uint64_t replicate, const std::string& bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create the checkpoint directory {}: {}", dir_.string(), ec.message()));
  // Not synced: a checkpoint lost to a power failure only costs recomputation (a torn one fails its stamp).
  AtomicFile out(file(replicate), false);
  out.write(stamp_);
  out.write(bytes);
  const std::uint64_t check = fnv1a(bytes);
  out.write(std::string_view(reinterpret_cast<const char*>(&check), sizeof check));
  out.commit();
}

std::optional<std::string> CheckpointDir::load(const std::string&, std::uint64_t replicate) const {
  std::ifstream in(file(replicate), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  std::string bytes = std::move(text).str();
  if (bytes.compare(0, stamp_.size(), stamp_) != 0) return std::nullopt;  // another build or configuration
  if (bytes.size() < stamp_.size() + sizeof(std::uint64_t)) return std::nullopt;  // torn
  std::uint64_t check = 0;
  std::memcpy(&check, bytes.data() + bytes.size() - sizeof check, sizeof check);
  bytes = bytes.substr(stamp_.size(), bytes.size() - stamp_.size() - sizeof check);
  if (fnv1a(bytes) != check) return std::nullopt;  // torn by a crash: that replicate starts again
  return bytes;
}

}  // namespace ouro
