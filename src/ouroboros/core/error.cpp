#include "ouroboros/core/error.hpp"

#include <fmt/format.h>

namespace ouro {

std::string printable(std::string_view text, std::size_t limit, bool keep_utf8) {
  std::string out;
  std::size_t used = 0;
  for (; used < text.size() && out.size() < limit; ++used) {
    const auto c = static_cast<unsigned char>(text[used]);
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (c < 0x20 || c == 0x7f || (c > 0x7f && !keep_utf8)) out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  if (used < text.size()) out += fmt::format("... ({} more bytes)", text.size() - used);
  return out;
}

bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > text.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return false;
    i += len;
  }
  return true;
}

void rethrow_with_context(const UserError& e, const std::string& context) {
  throw UserError(fmt::format("{}: {}", context, e.what()));
}

}  // namespace ouro
