#pragma once
// ws_upgrade: the client side of the WebSocket opening handshake (RFC 6455 section 4) as text.
// Pure functions; thread-safe.
//
// Every connection sends the same Sec-WebSocket-Key, the RFC's own example: the key only proves
// that the server understood a WebSocket handshake, which a fixed key proves as well, and it
// spares the load tool a SHA-1 per connection. The response's Sec-WebSocket-Accept is checked
// against the RFC's matching answer.
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace troupe::load {

// The HTTP/1.1 upgrade request for `target` (e.g. "/ws") on `host` ("127.0.0.1:8080").
std::string upgrade_request(std::string_view host, std::string_view target);

// Responses with a longer head are refused.
inline constexpr std::size_t max_response_head = 8192;

// The size of the response head at the front of `received`, "\r\n\r\n" included; 0 while it
// is incomplete.
std::size_t response_head_size(std::string_view received) noexcept;

// Checks a complete response head: status 101 and the expected Sec-WebSocket-Accept.
boost::system::error_code check_upgrade_response(std::string_view head) noexcept;

}  // namespace troupe::load
