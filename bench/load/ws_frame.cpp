#include "bench/load/ws_frame.hpp"

#include <array>
#include <cstring>

namespace troupe::load {
namespace {

std::uint64_t big_endian(std::span<const char> bytes) noexcept {
  std::uint64_t v = 0;
  for (const char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

}  // namespace

ws_parse parse_frame_header(std::span<const char> bytes, ws_frame_header& h) noexcept {
  if (bytes.size() < 2) return ws_parse::need_more;
  const auto b0 = static_cast<unsigned char>(bytes[0]);
  const auto b1 = static_cast<unsigned char>(bytes[1]);
  h.fin = (b0 & 0x80) != 0;
  h.rsv = b0 & 0x70;
  h.opcode = static_cast<ws_opcode>(b0 & 0x0F);
  h.masked = (b1 & 0x80) != 0;
  const unsigned len7 = b1 & 0x7F;
  std::size_t size = 2;
  if (len7 == 126) {
    if (bytes.size() < 4) return ws_parse::need_more;
    h.payload_size = big_endian(bytes.subspan(2, 2));
    if (h.payload_size < 126) return ws_parse::bad_length;
    size = 4;
  } else if (len7 == 127) {
    if (bytes.size() < 10) return ws_parse::need_more;
    h.payload_size = big_endian(bytes.subspan(2, 8));
    if (h.payload_size <= 0xFFFF || (h.payload_size >> 63) != 0) return ws_parse::bad_length;
    size = 10;
  } else {
    h.payload_size = len7;
  }
  h.mask_key = 0;
  if (h.masked) {
    if (bytes.size() < size + 4) return ws_parse::need_more;
    std::memcpy(&h.mask_key, bytes.data() + size, 4);
    size += 4;
  }
  h.header_size = size;
  return ws_parse::complete;
}

void apply_mask(std::span<char> data, std::uint32_t key, std::size_t phase) noexcept {
  std::array<unsigned char, 4> k{};
  std::memcpy(k.data(), &key, 4);
  std::size_t i = 0;
  // Eight bytes at a time: the key repeated twice, rotated to the phase of byte 0.
  unsigned char pattern[8];
  for (std::size_t j = 0; j < 8; ++j) pattern[j] = k[(j + phase) % 4];
  std::uint64_t wide = 0;
  std::memcpy(&wide, pattern, 8);
  for (; i + 8 <= data.size(); i += 8) {
    std::uint64_t v = 0;
    std::memcpy(&v, data.data() + i, 8);
    v ^= wide;
    std::memcpy(data.data() + i, &v, 8);
  }
  for (; i < data.size(); ++i) data[i] = static_cast<char>(data[i] ^ k[(i + phase) % 4]);
}

void append_client_frame(std::string& out, ws_opcode op, std::string_view payload,
                         std::uint32_t key) {
  const std::size_t n = payload.size();
  const std::size_t start = out.size();
  const std::size_t len_bytes = n < 126 ? 0 : n <= 0xFFFF ? 2 : 8;
  out.resize(start + 2 + len_bytes + 4 + n);
  char* p = out.data() + start;
  *p++ = static_cast<char>(0x80 | static_cast<std::uint8_t>(op));
  if (len_bytes == 0) {
    *p++ = static_cast<char>(0x80 | n);
  } else {
    *p++ = static_cast<char>(0x80 | (len_bytes == 2 ? 126 : 127));
    for (std::size_t i = len_bytes; i-- > 0;) *p++ = static_cast<char>((n >> (8 * i)) & 0xFF);
  }
  std::memcpy(p, &key, 4);
  p += 4;
  if (n > 0) {
    std::memcpy(p, payload.data(), n);
    apply_mask({p, n}, key);
  }
}

std::string close_payload(std::uint16_t code) {
  return {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
}

}  // namespace troupe::load
