#include "bench/load/connection.hpp"

#include "bench/load/load_errors.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/error.hpp>

#include <netinet/in.h>

namespace troupe::load {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Lets the kernel pick the local port at connect time, per destination, so the ephemeral range
// is not shared by every connection bound to the same source address.
using bind_address_no_port =
    asio::detail::socket_option::boolean<IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT>;

// Reads frames until `answer` returns a verdict for one (nullopt: not the answer, keep
// reading) or the connection fails.
template <class Answer>
asio::awaitable<error_code> read_until(connection& c, Answer answer) {
  for (;;) {
    auto [ec, n] = co_await c.ws.async_read(c.buffer, use_tuple);
    if (ec) co_return ec;
    const std::optional<error_code> verdict = answer(scan_frame(c.frame()));
    c.consume();
    if (verdict) co_return *verdict;
  }
}

}  // namespace

std::string_view connection::frame() const noexcept {
  const auto data = buffer.data();
  return {static_cast<const char*>(data.data()), data.size()};
}

std::optional<asio::ip::address_v4> dial_plan::source_address(std::uint64_t n) const noexcept {
  if (source_ips == 0) return std::nullopt;
  return asio::ip::address_v4((127u << 24) | (2u + static_cast<unsigned>(n % source_ips)));
}

asio::awaitable<error_code> open_connection(connection& c, const dial_plan& plan, std::uint64_t n) {
  auto& tcp = beast::get_lowest_layer(c.ws);
  auto& socket = tcp.socket();
  error_code ec;
  if (auto local = plan.source_address(n)) {
    socket.open(asio::ip::tcp::v4(), ec);
    if (!ec) socket.set_option(bind_address_no_port(true), ec);
    if (!ec) socket.bind({*local, 0}, ec);
    if (ec) co_return ec;
  }
  tcp.expires_after(plan.timeout);
  std::tie(ec) = co_await tcp.async_connect(plan.remote, use_tuple);
  if (ec) co_return ec;
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  if (ec) co_return ec;

  websocket::stream_base::timeout t{};
  t.handshake_timeout = plan.timeout;
  t.idle_timeout = websocket::stream_base::none();
  t.keep_alive_pings = false;
  c.ws.set_option(t);
  c.ws.secure_prng(false);  // masking keys need no cryptographic strength in a load test
  std::tie(ec) = co_await c.ws.async_handshake(plan.host_header, "/ws", use_tuple);
  if (ec) co_return ec;
  c.ws.text(true);

  if (plan.target == target_kind::troupe) {
    auto [rec, bytes] = co_await c.ws.async_read(c.buffer, use_tuple);
    if (rec) co_return rec;
    const bool welcomed = scan_frame(c.frame()).type == "welcome";
    c.consume();
    if (!welcomed) co_return load_errc::no_welcome;
  }
  tcp.expires_never();
  c.open = true;
  co_return error_code{};
}

asio::awaitable<error_code> join_room(connection& c, target_kind target, std::uint64_t id,
                                      std::string room, std::string name,
                                      std::chrono::nanoseconds timeout) {
  auto& tcp = beast::get_lowest_layer(c.ws);
  tcp.expires_after(timeout);
  const std::string request = room_join_request(target, id, room, name);
  auto [ec, sent] = co_await c.ws.async_write(asio::buffer(request), use_tuple);
  if (!ec) {
    if (target == target_kind::baseline) {
      // The baseline acknowledges a join by echoing the room name.
      ec = co_await read_until(c, [&](const frame_fields&) -> std::optional<error_code> {
        return c.frame() == room ? error_code{} : error_code{load_errc::join_refused};
      });
    } else {
      ec = co_await read_until(c, [&](const frame_fields& f) -> std::optional<error_code> {
        if (f.type == "room.joined") return error_code{};
        if (f.id == id) return error_code{load_errc::join_refused};
        return std::nullopt;  // presence events and the like
      });
    }
  }
  tcp.expires_never();
  co_return ec;
}

asio::awaitable<error_code> leave_room(connection& c, std::uint64_t id, std::string room,
                                       std::chrono::nanoseconds timeout) {
  auto& tcp = beast::get_lowest_layer(c.ws);
  tcp.expires_after(timeout);
  const std::string request = room_leave_request(id, room);
  auto [ec, sent] = co_await c.ws.async_write(asio::buffer(request), use_tuple);
  if (!ec) {
    ec = co_await read_until(c, [&](const frame_fields& f) -> std::optional<error_code> {
      if (f.id != id) return std::nullopt;
      return f.type == "error" ? error_code{load_errc::error_reply} : error_code{};
    });
  }
  tcp.expires_never();
  co_return ec;
}

asio::awaitable<error_code> close_connection(connection& c, std::chrono::nanoseconds timeout) {
  c.closing = true;
  // The stream's own deadline only covers operations started after it is set, and a reader
  // may have a read pending since long before: past the timeout, close the socket under all
  // of them. The handler may run after this coroutine returned (and `c` is gone): it touches
  // `c` only while the close is still pending.
  auto pending = std::make_shared<bool>(true);
  asio::steady_timer watchdog(c.ws.get_executor());
  watchdog.expires_after(timeout);
  watchdog.async_wait([&c, pending](error_code ec) {
    if (!ec && *pending) beast::get_lowest_layer(c.ws).close();
  });
  auto [ec] = co_await c.ws.async_close(websocket::close_code::normal, use_tuple);
  *pending = false;
  watchdog.cancel();
  c.open = false;
  co_return ec;
}

bool is_closed_error(error_code ec) noexcept {
  return ec == websocket::error::closed || ec == asio::error::operation_aborted ||
         ec == beast::error::timeout || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::bad_descriptor;
}

}  // namespace troupe::load
