#pragma once
// The baseline echo session: accept the WebSocket handshake (any target), then send every frame
// back as it came, text or binary. One coroutine per connection, on the connection's strand.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace troupe::baseline {

boost::asio::awaitable<void> run_echo_session(boost::asio::ip::tcp::socket socket);

}  // namespace troupe::baseline
