#pragma once
// IDX files, the format of MNIST and Fashion-MNIST (LeCun et al., "THE MNIST DATABASE of handwritten digits"):
// a big-endian header (two zero bytes, a type byte, the number of dimensions, then one 32-bit size per
// dimension) followed by the data in row-major order. Only the unsigned-byte type (0x08) is read, the one
// both data sets use. Files may be gzip-compressed (as the Debian packages ship them) or plain.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ouro {

struct IdxArray {
  std::vector<std::uint32_t> dims;  // e.g. {60000, 28, 28} for images, {60000} for labels
  std::vector<std::uint8_t> data;   // product(dims) bytes, row-major
};

// The most data bytes an IDX header may promise (4 GiB; Fashion-MNIST's training images are 47 MB).
inline constexpr std::uint64_t kMaxIdxBytes = std::uint64_t{1} << 32;

// Parses an unsigned-byte IDX file's bytes; `name` goes into messages. Throws UserError as read_idx does, and for
// dimensions whose product overflows or exceeds kMaxIdxBytes.
IdxArray parse_idx(std::span<const std::uint8_t> bytes, const std::string& name);

// Reads an unsigned-byte IDX file (regular files only), never decompressing more than its header promises. Throws UserError naming the file for a missing or unreadable file, a wrong
// magic number, a type other than unsigned byte, and data shorter or longer than the header promises.
IdxArray read_idx(const std::string& path);

// Encodes an array as an uncompressed IDX file's bytes (the inverse of read_idx; used to write fixtures).
std::vector<std::uint8_t> encode_idx(const IdxArray& array);

}  // namespace ouro
