#include "ouroboros/data/idx.hpp"

#include <fmt/format.h>


#include "ouroboros/core/error.hpp"

#include <zlib.h>

namespace ouro {

namespace {

// The whole file, decompressed when it is gzip data. zlib's gzread passes plain files through unchanged.
std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::vector<std::uint8_t> bytes;
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw UserError(fmt::format("cannot open the IDX file {}", path));
  std::uint8_t buffer[1 << 16];
  int got = 0;
  while ((got = gzread(file, buffer, sizeof buffer)) > 0) bytes.insert(bytes.end(), buffer, buffer + got);
  int code = Z_OK;
  const std::string message = got < 0 ? gzerror(file, &code) : "";
  gzclose(file);
  if (got < 0) throw UserError(fmt::format("cannot read the IDX file {}: {} (a damaged gzip file?)", path, message));
  return bytes;
}

std::uint32_t big_endian32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_bytes(path);
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0)
    throw UserError(fmt::format("{} is not an IDX file: it does not start with the magic bytes 00 00", path));
  if (bytes[2] != 0x08)
    throw UserError(fmt::format("{}: IDX data type 0x{:02x} is not supported (only unsigned byte, 0x08)", path,
                                bytes[2]));
  const std::size_t rank = bytes[3];
  if (rank == 0) throw UserError(fmt::format("{}: an IDX file needs at least one dimension", path));
  const std::size_t header = 4 + 4 * rank;
  if (bytes.size() < header)
    throw UserError(fmt::format("{} is truncated: {} bytes, shorter than its {}-byte header", path, bytes.size(), header));
  IdxArray out;
  std::size_t count = 1;
  for (std::size_t d = 0; d < rank; ++d) {
    out.dims.push_back(big_endian32(&bytes[4 + 4 * d]));
    count *= out.dims.back();
  }
  if (bytes.size() - header != count)
    throw UserError(fmt::format("{} is {}: its header promises {} data bytes but it holds {}", path,
                                bytes.size() - header < count ? "truncated" : "too long", count, bytes.size() - header));
  out.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return out;
}

std::vector<std::uint8_t> encode_idx(const IdxArray& array) {
  std::vector<std::uint8_t> out{0, 0, 0x08, static_cast<std::uint8_t>(array.dims.size())};
  for (const std::uint32_t d : array.dims)
    for (const int shift : {24, 16, 8, 0}) out.push_back(static_cast<std::uint8_t>(d >> shift));
  out.insert(out.end(), array.data.begin(), array.data.end());
  return out;
}

}  // namespace ouro
