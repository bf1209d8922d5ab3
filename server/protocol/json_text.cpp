#include "server/protocol/json_text.hpp"

#include "server/protocol/utf8.hpp"

namespace troupe::protocol {

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  static constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
  out.push_back('"');
  const char* const p = s.data();
  std::size_t run = 0;  // start of the bytes not yet copied
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const utf8_char u = decode_utf8(s.substr(i));
      if (u.length != 0) {
        i += u.length;
        continue;
      }
      out.append(p + run, i - run);
      out.append(replacement);
      run = ++i;
      continue;
    }
    out.append(p + run, i - run);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default: {
        const char esc[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
        out.append(esc, sizeof esc);
      }
    }
    run = ++i;
  }
  out.append(p + run, s.size() - run);
  out.push_back('"');
}

}  // namespace troupe::protocol
