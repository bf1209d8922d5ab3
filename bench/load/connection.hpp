#pragma once
// connection: one WebSocket client connection and the operations every scenario needs on it
// (open, join a room, leave it, close). A connection belongs to one io thread of the io_pool;
// all its operations run there. The main thread only touches it before any coroutine runs on
// it or after they all finished, so it is shared (shared_ptr) but never used concurrently.
#include "bench/load/wire.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace troupe::load {

using ws_stream = boost::beast::websocket::stream<boost::beast::tcp_stream>;

struct connection {
  connection(boost::asio::io_context& ctx, std::size_t thread_index)
      : ws(ctx), thread(thread_index) {}

  ws_stream ws;
  boost::beast::flat_buffer buffer;
  std::size_t thread;    // index of its io thread (and of its thread_stats)
  bool open = false;     // handshake done
  bool closing = false;  // a deliberate close is under way: readers expect their read to fail

  // The frame last read into `buffer`, as text.
  std::string_view frame() const noexcept;
  void consume() noexcept { buffer.consume(buffer.size()); }
};

// Where connections go, and from which local address the nth one comes.
struct dial_plan {
  boost::asio::ip::tcp::endpoint remote;
  std::string host_header;
  target_kind target = target_kind::troupe;
  unsigned source_ips = 0;  // spread over 127.0.0.2 .. 127.0.0.(1 + source_ips); 0: kernel picks
  std::chrono::nanoseconds timeout{std::chrono::seconds(10)};

  std::optional<boost::asio::ip::address_v4> source_address(std::uint64_t n) const noexcept;
};

// TCP connect (bound to the nth source address), WebSocket handshake on /ws, and for troupe the
// welcome frame; all within plan.timeout. On success the stream has no deadline left.
boost::asio::awaitable<boost::system::error_code> open_connection(connection& c,
                                                                  const dial_plan& plan,
                                                                  std::uint64_t n);

// Joins `room` and reads until the server confirms, skipping other frames (presence events).
boost::asio::awaitable<boost::system::error_code> join_room(connection& c, target_kind target,
                                                            std::uint64_t id, std::string room,
                                                            std::string name,
                                                            std::chrono::nanoseconds timeout);

// troupe only: leaves `room` and reads until the reply carrying `id`.
boost::asio::awaitable<boost::system::error_code> leave_room(connection& c, std::uint64_t id,
                                                             std::string room,
                                                             std::chrono::nanoseconds timeout);

// The WebSocket closing handshake, within `timeout`. Marks the connection `closing` first.
boost::asio::awaitable<boost::system::error_code> close_connection(
    connection& c, std::chrono::nanoseconds timeout);

// Errors that mean "the connection went away because we closed it".
bool is_closed_error(boost::system::error_code ec) noexcept;

}  // namespace troupe::load
