#include "bench/baseline/echo_session.hpp"

#include "bench/baseline/server_runner.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace troupe::baseline {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

asio::awaitable<void> run_echo_session(asio::ip::tcp::socket socket) {
  constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
  websocket::stream<beast::tcp_stream> ws(std::move(socket));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  if (auto [ec] = co_await ws.async_accept(use_tuple); ec) {
    if (!is_disconnect(ec)) log_error("echo handshake", ec);
    co_return;
  }
  beast::flat_buffer buffer;
  for (;;) {
    if (auto [ec, n] = co_await ws.async_read(buffer, use_tuple); ec) {
      if (!is_disconnect(ec)) log_error("echo read", ec);
      co_return;
    }
    ws.text(ws.got_text());
    if (auto [ec, n] = co_await ws.async_write(buffer.data(), use_tuple); ec) {
      if (!is_disconnect(ec)) log_error("echo write", ec);
      co_return;
    }
    buffer.consume(buffer.size());
  }
}

}  // namespace troupe::baseline
