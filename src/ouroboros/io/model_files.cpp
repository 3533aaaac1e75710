#include "ouroboros/io/model_files.hpp"

#include <fmt/format.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "ouroboros/core/archive.hpp"
#include "ouroboros/core/error.hpp"
#include "ouroboros/io/atomic_file.hpp"

namespace ouro {

namespace {
constexpr std::uint64_t kModelMagic = 0x316c646d6f72756f;  // "ouromdl1" read as little-endian bytes
}  // namespace

std::string unit_directory_name(std::size_t point, const std::string& regime) {
  std::string out = fmt::format("p{}-", point);
  for (const char c : regime)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '=' || c == '-') ? c : '_';
  return out;
}

ModelDir::ModelDir(std::filesystem::path dir, nlohmann::json header) : dir_(std::move(dir)), header_(std::move(header)) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create the model directory {}: {}", dir_.string(), ec.message()));
}

std::filesystem::path ModelDir::file(std::uint64_t replicate, std::int64_t generation) const {
  return dir_ / fmt::format("r{}-g{}.model", replicate, generation);
}

void ModelDir::save(std::uint64_t replicate, std::int64_t generation, const std::string& model) {
  nlohmann::json header = header_;
  header["replicate"] = replicate;
  header["generation"] = generation;
  ArchiveWriter a;
  a(kModelMagic, header.dump(), model);
  // Not synced: a model file lost to a power failure is written again when the unit reruns (it is not committed).
  AtomicFile out(file(replicate, generation), false);
  out.write(a.bytes());
  out.commit();
}

ModelFile read_model_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(fmt::format("cannot read the model file {}", path.string()));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = std::move(buffer).str();
  ModelFile f;
  try {
    std::uint64_t magic = 0;
    ArchiveReader a(bytes);
    a(magic);
    if (magic != kModelMagic) throw std::runtime_error("it does not start with an ouroboros model's magic number");
    std::string header;
    a(header, f.model);
    if (!a.at_end()) throw std::runtime_error("bytes follow the model");
    f.header = nlohmann::json::parse(header);
    for (const char* key : {"truth", "model", "replicate", "generation"})
      if (!f.header.contains(key)) throw std::runtime_error(fmt::format("its header has no '{}'", key));
  } catch (const std::exception& e) {
    throw UserError(fmt::format("{} is not a model file written by output.checkpoints: {}", path.string(), e.what()));
  }
  return f;
}

}  // namespace ouro
