#include "actors/frame.hpp"

#include <cstdint>

namespace troupe {

frame_data::frame_data(std::string text) {
  // RFC 6455 5.2: lengths up to 125 fit the first length byte; 126 announces a 16-bit and 127 a
  // 64-bit length in network byte order.
  const std::uint64_t n = text.size();
  char header[10];
  header[0] = static_cast<char>(0x81);  // FIN, opcode 1 (text)
  if (n <= 125) {
    header[1] = static_cast<char>(n);
    header_size_ = 2;
  } else if (n <= 0xffff) {
    header[1] = static_cast<char>(126);
    header[2] = static_cast<char>(n >> 8);
    header[3] = static_cast<char>(n);
    header_size_ = 4;
  } else {
    header[1] = static_cast<char>(127);
    for (int i = 0; i < 8; ++i) header[2 + i] = static_cast<char>(n >> (8 * (7 - i)));
    header_size_ = 10;
  }
  wire_ = std::move(text);
  wire_.insert(0, header, header_size_);
}

}  // namespace troupe
