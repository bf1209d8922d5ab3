#pragma once
// raw_connection: a plain TCP connection to 127.0.0.1, for bytes no HTTP or WebSocket client
// sends (a request without Host, an absolute-form target, a head before its body) and reading
// what comes back, every read with a deadline.
// Threads: one thread at a time per connection.
#include "actors/runtime/result.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace troupe::it {

class raw_connection {
 public:
  explicit raw_connection(std::uint16_t port);
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;
  ~raw_connection();

  bool connected() const noexcept { return fd_ >= 0; }
  result<void> send(std::string_view bytes);
  // Reads until what came so far (since the last call) holds `marker`, the peer closes, or
  // `limit` passes (beast::error::timeout, an error); returns all of it.
  result<std::string> read_until(std::string_view marker,
                                 std::chrono::milliseconds limit = std::chrono::seconds(5));

 private:
  int fd_ = -1;
  std::string pending_;
};

// A WebSocket upgrade request to /ws with this Host (the key is RFC 6455's example), plus
// `extra_headers` ("Origin: ...\r\n").
std::string upgrade_request(std::string_view host, std::string_view extra_headers = {});

// A client frame as it goes on the wire: final, masked (RFC 6455 5.3), payload under 126 bytes.
// Opcodes: 0x1 text, 0x2 binary, 0x8 close.
std::string masked_frame(unsigned char opcode, std::string_view payload);

}  // namespace troupe::it
