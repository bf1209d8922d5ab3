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

}  // namespace

bool valid_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > max_name_bytes) return false;
  for (char c : name) {
    if (!name_char(c)) return false;
  }
  return true;
}

bool valid_display_name(std::string_view name) noexcept {
  std::size_t chars = 0;
  while (!name.empty()) {
    const utf8_char c = decode_utf8(name);
    if (c.length == 0 || control_char(c.code_point)) return false;
    if (++chars > max_display_name_chars) return false;
    name.remove_prefix(c.length);
  }
  return chars > 0;
}

}  // namespace troupe::protocol
