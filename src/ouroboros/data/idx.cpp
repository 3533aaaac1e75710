#include "ouroboros/data/idx.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>

#include "ouroboros/core/error.hpp"

namespace ouro {

namespace {

std::uint32_t big_endian32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

// Reads at most `limit` more bytes of a (possibly gzip-compressed) file into `bytes`.
void read_up_to(gzFile file, std::size_t limit, std::vector<std::uint8_t>& bytes, const std::string& path) {
  std::uint8_t buffer[1 << 16];
  while (limit > 0) {
    const int got = gzread(file, buffer, static_cast<unsigned>(std::min<std::size_t>(sizeof buffer, limit)));
    if (got < 0) {
      int code = Z_OK;
      const std::string message = gzerror(file, &code);
      throw UserError(fmt::format("cannot read the IDX file {}: {} (a damaged gzip file?)", path, message));
    }
    if (got == 0) return;
    bytes.insert(bytes.end(), buffer, buffer + got);
    limit -= static_cast<std::size_t>(got);
  }
}

// The header's data size: the product of its dimensions, refused when it overflows or exceeds kMaxIdxBytes.
std::size_t data_size(const std::vector<std::uint32_t>& dims, const std::string& name) {
  std::uint64_t count = 1;
  for (const std::uint32_t d : dims)
    if (__builtin_mul_overflow(count, std::uint64_t{d}, &count) || count > kMaxIdxBytes)
      throw UserError(fmt::format("{}: its header's dimensions promise more than {} data bytes", name, kMaxIdxBytes));
  return static_cast<std::size_t>(count);
}

}  // namespace

IdxArray parse_idx(std::span<const std::uint8_t> bytes, const std::string& name) {
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0)
    throw UserError(fmt::format("{} is not an IDX file: it does not start with the magic bytes 00 00", name));
  if (bytes[2] != 0x08)
    throw UserError(fmt::format("{}: IDX data type 0x{:02x} is not supported (only unsigned byte, 0x08)", name,
                                bytes[2]));
  const std::size_t rank = bytes[3];
  if (rank == 0) throw UserError(fmt::format("{}: an IDX file needs at least one dimension", name));
  const std::size_t header = 4 + 4 * rank;
  if (bytes.size() < header)
    throw UserError(fmt::format("{} is truncated: {} bytes, shorter than its {}-byte header", name, bytes.size(), header));
  IdxArray out;
  for (std::size_t d = 0; d < rank; ++d) out.dims.push_back(big_endian32(&bytes[4 + 4 * d]));
  const std::size_t count = data_size(out.dims, name);
  if (bytes.size() - header != count)
    throw UserError(fmt::format("{} is {}: its header promises {} data bytes but it holds {}", name,
                                bytes.size() - header < count ? "truncated" : "too long", count, bytes.size() - header));
  out.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return out;
}

// Read in steps bounded by the header: a gzip bomb is cut off one byte past what the header promises.
IdxArray read_idx(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    throw UserError(fmt::format("the IDX file {} is not a regular file", path));
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw UserError(fmt::format("cannot open the IDX file {}", path));
  std::vector<std::uint8_t> bytes;
  try {
    read_up_to(file, 4, bytes, path);
    if (bytes.size() == 4) {
      read_up_to(file, 4 * std::size_t{bytes[3]}, bytes, path);
      if (bytes.size() == 4 + 4 * std::size_t{bytes[3]} && bytes[3] > 0) {
        std::vector<std::uint32_t> dims;
        for (std::size_t d = 0; d < bytes[3]; ++d) dims.push_back(big_endian32(&bytes[4 + 4 * d]));
        read_up_to(file, data_size(dims, path) + 1, bytes, path);
      }
    }
  } catch (...) {
    gzclose(file);
    throw;
  }
  gzclose(file);
  return parse_idx(bytes, path);
}

std::vector<std::uint8_t> encode_idx(const IdxArray& array) {
  std::vector<std::uint8_t> out{0, 0, 0x08, static_cast<std::uint8_t>(array.dims.size())};
  for (const std::uint32_t d : array.dims)
    for (const int shift : {24, 16, 8, 0}) out.push_back(static_cast<std::uint8_t>(d >> shift));
  out.insert(out.end(), array.data.begin(), array.data.end());
  return out;
}

}  // namespace ouro
