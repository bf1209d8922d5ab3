#pragma once
// Building blocks for hand-built JSON text: string literals with correct escaping and integers.
// Pure; thread-safe.
#include <charconv>
#include <concepts>
#include <string>
#include <string_view>

namespace troupe::protocol {

// Appends `s` as a JSON string literal, quotes included. '"', '\' and control characters
// (U+0000..U+001F) are escaped; well-formed UTF-8 is copied verbatim; each byte that is not part
// of well-formed UTF-8 becomes U+FFFD. The output is therefore always valid JSON and valid UTF-8.
void append_json_string(std::string& out, std::string_view s);

template <std::integral T>
void append_json_integer(std::string& out, T value) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

}  // namespace troupe::protocol
