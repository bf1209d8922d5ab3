#pragma once
// UTF-8 decoding, one code point at a time, strictly by Unicode's table of well-formed byte
// sequences (no overlongs, no surrogates, nothing above U+10FFFF). Pure; thread-safe.
#include <cstddef>
#include <string_view>

namespace troupe::protocol {

struct utf8_char {
  char32_t code_point = 0;
  std::size_t length = 0;  // bytes consumed; 0 when the text does not start with a well-formed one
};

// Decodes the code point at the start of `s` (which must not be empty).
utf8_char decode_utf8(std::string_view s) noexcept;

}  // namespace troupe::protocol
