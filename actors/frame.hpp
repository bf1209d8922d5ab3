#pragma once
// frame: one server-to-client WebSocket text message, encoded and framed once and shared
// read-only by every recipient. A broadcast is serialized once, its WebSocket header is built
// once, and the same bytes are queued to each member: the socket writer sends them as they are.
//
// Server frames are never masked and troupe does not compress, so the wire form of a message is
// the same for every connection: FIN + text opcode, the payload length, the payload.
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace troupe {

class frame_data {
 public:
  // Puts the header in front of `text` in place when its capacity allows, as the protocol's
  // encoders arrange (they reserve room for it), so framing neither allocates nor copies.
  explicit frame_data(std::string text);

  // The message, as the JSON text the client reads.
  std::string_view text() const noexcept { return std::string_view(wire_).substr(header_size_); }
  // Header and payload, as they go on the wire.
  std::string_view wire() const noexcept { return wire_; }

 private:
  std::string wire_;
  std::size_t header_size_;
};

using frame = std::shared_ptr<const frame_data>;

inline frame make_frame(std::string text) {
  return std::make_shared<const frame_data>(std::move(text));
}

}  // namespace troupe
