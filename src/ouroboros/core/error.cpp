#include "ouroboros/core/error.hpp"

#include <fmt/format.h>

#include <cstdint>

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

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    // Reject overlong forms, surrogates and code points beyond U+10FFFF.
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
    i += extra + 1;
  }
  return true;
}

void rethrow_with_context(const UserError& e, const std::string& context) {
  throw UserError(fmt::format("{}: {}", context, e.what()));
}

}  // namespace ouro
