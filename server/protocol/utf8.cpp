#include "server/protocol/utf8.hpp"

namespace troupe::protocol {
namespace {

bool in(unsigned char c, unsigned char lo, unsigned char hi) noexcept {
  return c >= lo && c <= hi;
}

}  // namespace

utf8_char decode_utf8(std::string_view s) noexcept {
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) return {b0, 1};
  // Lead byte: sequence length and the allowed range of the second byte.
  std::size_t length = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (in(b0, 0xC2, 0xDF)) {
    length = 2;
  } else if (in(b0, 0xE0, 0xEF)) {
    length = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlongs
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (in(b0, 0xF0, 0xF4)) {
    length = 4;
    if (b0 == 0xF0) lo = 0x90;  // no overlongs
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return {};
  }
  if (s.size() < length) return {};
  const auto b1 = static_cast<unsigned char>(s[1]);
  if (!in(b1, lo, hi)) return {};
  char32_t cp = b0 & (0xFF >> (length + 1));
  cp = (cp << 6) | (b1 & 0x3F);
  for (std::size_t i = 2; i < length; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (!in(b, 0x80, 0xBF)) return {};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, length};
}

}  // namespace troupe::protocol
