#include "server/protocol/names.hpp"

#include "server/protocol/utf8.hpp"

namespace troupe::protocol {
namespace {

bool name_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool control_char(char32_t cp) noexcept {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

// The code points of printable text; -1 if it is not (malformed UTF-8 or a control character).
long printable_chars(std::string_view text) noexcept {
  long chars = 0;
  while (!text.empty()) {
    const utf8_char c = decode_utf8(text);
    if (c.length == 0 || control_char(c.code_point)) return -1;
    ++chars;
    text.remove_prefix(c.length);
  }
  return chars;
}

}  // namespace

bool valid_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > max_name_bytes) return false;
  for (char c : name) {
    if (!name_char(c)) return false;
  }
  return true;
}

bool printable_text(std::string_view text) noexcept {
  return printable_chars(text) >= 0;
}

bool valid_display_name(std::string_view name) noexcept {
  const long chars = printable_chars(name);
  return chars > 0 && chars <= static_cast<long>(max_display_name_chars);
}

}  // namespace troupe::protocol
