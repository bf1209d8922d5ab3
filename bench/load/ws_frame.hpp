#pragma once
// ws_frame: the WebSocket frame format (RFC 6455 section 5) as troupe_load needs it: read the
// header of a frame, write a masked client frame. Pure functions; thread-safe.
//
// troupe_load has its own minimal client instead of Beast's stream because Beast spends a
// composed read operation and a coroutine resumption per received frame; the load tool must
// absorb far more frames than the servers it measures can send.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace troupe::load {

enum class ws_opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

inline constexpr bool is_control(ws_opcode op) noexcept {
  return (static_cast<std::uint8_t>(op) & 0x8) != 0;
}

struct ws_frame_header {
  bool fin = false;
  std::uint8_t rsv = 0;  // the three reserved bits, in place (0x70); no extension is negotiated
  ws_opcode opcode = ws_opcode::continuation;
  bool masked = false;
  std::uint32_t mask_key = 0;  // in wire order: byte i of the payload is XORed with byte i % 4
  std::uint64_t payload_size = 0;
  std::size_t header_size = 0;  // bytes before the payload: 2, 4 or 10, plus 4 with a mask

  std::uint64_t frame_size() const noexcept { return header_size + payload_size; }
};

enum class ws_parse { complete, need_more, bad_length };

// Reads the header at the front of `bytes`. need_more: `bytes` holds less than the header (a
// frame is complete only once bytes.size() >= h.frame_size()). bad_length: a 64-bit length with
// its top bit set, or an extended length that should have been a shorter one.
ws_parse parse_frame_header(std::span<const char> bytes, ws_frame_header& h) noexcept;

// XORs `data` with the 4-byte key `key` (wire order), starting at key byte `phase`.
void apply_mask(std::span<char> data, std::uint32_t key, std::size_t phase = 0) noexcept;

// Appends one final (FIN) frame carrying `payload`, masked with `key` as a client must.
void append_client_frame(std::string& out, ws_opcode op, std::string_view payload,
                         std::uint32_t key);

// The payload of a close frame with a status code.
std::string close_payload(std::uint16_t code);

}  // namespace troupe::load
