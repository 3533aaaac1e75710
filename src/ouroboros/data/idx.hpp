#pragma once
// IDX files, the format of MNIST and Fashion-MNIST (LeCun et al., "THE MNIST DATABASE of handwritten digits"):
// a big-endian header (two zero bytes, a type byte, the number of dimensions, then one 32-bit size per
// dimension) followed by the data in row-major order. Only the unsigned-byte type (0x08) is read, the one
// both data sets use. Files may be gzip-compressed (as the Debian packages ship them) or plain.
#include <cstdint>
#include <string>
#include <vector>

namespace ouro {

struct IdxArray {
  std::vector<std::uint32_t> dims;  // e.g. {60000, 28, 28} for images, {60000} for labels
  std::vector<std::uint8_t> data;   // product(dims) bytes, row-major
};

// Reads an unsigned-byte IDX file. Throws UserError naming the file for a missing or unreadable file, a wrong
// magic number, a type other than unsigned byte, and data shorter or longer than the header promises.
IdxArray read_idx(const std::string& path);

// Encodes an array as an uncompressed IDX file's bytes (the inverse of read_idx; used to write fixtures).
std::vector<std::uint8_t> encode_idx(const IdxArray& array);

}  // namespace ouro
