#pragma once
// connection: one WebSocket client connection and the operations every scenario needs on it
// (open, send, read messages, join a room, leave it, close). A connection belongs to one io
// thread of the io_pool; all its operations run there. The main thread only touches it before
// any coroutine runs on it or after they all finished, so it is shared (shared_ptr) but never
// used concurrently.
//
// The client is troupe_load's own (ws_frame, ws_receiver, ws_upgrade, read_hub) over a plain
// non-blocking TCP socket, built to make a received frame cheap. A reader with nothing to read
// parks; when
// the thread's read_hub reports the socket readable, on_readable() reads everything there is
// into the thread's scratch buffer with one system call and hands each complete message to the
// parked reader's handler right there; the reader's coroutine resumes only when the handler
// says stop, the connection ends or a pong must go out. Writes go out with a direct
// non-blocking send and wait only when the socket is full.
//
// At most one coroutine reads a connection at a time, and at most one writes; a frame sent
// while a write is under way (a pong, a publish racing a close) is queued behind it and sent
// by that writer.
#include "bench/load/wire.hpp"
#include "bench/load/ws_receiver.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace troupe::load {

struct connection {
  connection(boost::asio::io_context& ctx, std::size_t thread_index);

  // The read hub: the socket has new bytes (or an end). Reads them for a parked reader.
  void on_readable();
  // After the io threads halted: lets go of a parked reader (its coroutine owns this
  // connection through a shared_ptr, and this connection owns its resumption).
  void abandon_reader() noexcept;

  boost::asio::ip::tcp::socket socket;
  ws_receiver receiver;
  mask_keys keys;
  std::string out;     // the frames being written
  std::string queued;  // frames to write after those
  // When the bytes of the messages being handed out were read from the socket.
  std::chrono::steady_clock::time_point received_at;
  std::size_t thread;    // index of its io thread (and of its thread_stats)
  bool open = false;     // handshake done, not closed yet
  bool closing = false;  // a deliberate close is under way: readers expect their read to fail
  bool reading = false;  // a read_messages is under way
  bool writing = false;  // a write is under way
  // Set when reading ended for good: websocket::error::closed once the close frames crossed,
  // else the failure. Later reads return it at once.
  boost::system::error_code read_end;
  // close_connection, while another coroutine reads: woken (cancelled) when that read ends.
  boost::asio::steady_timer* close_waiter = nullptr;
  // The socket may hold bytes no read has taken yet (the hub saw an edge, or a read filled
  // the whole scratch buffer).
  bool readable = false;
  // A reader waiting for bytes: its handler, what the reads made for it, and its resumption.
  const message_sink* parked = nullptr;
  ws_receiver::outcome parked_outcome;
  // (In an optional: Boost 1.81's any_completion_handler move-assignment recurses forever.)
  std::optional<boost::asio::any_completion_handler<void(boost::system::error_code)>> wake;
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
// welcome frame; all within plan.timeout.
boost::asio::awaitable<boost::system::error_code> open_connection(connection& c,
                                                                  const dial_plan& plan,
                                                                  std::uint64_t n);

// Sends one text frame. The text is copied (masked) before the first suspension.
boost::asio::awaitable<boost::system::error_code> send_text(connection& c, std::string_view text);

// Hands messages to `on_message` as they arrive, until it says stop (the rest stays pending for
// the next call). Answers pings. When the server closes, answers its close and returns
// websocket::error::closed (also when we started the close); on failure, the error. The sink must
// outlive the call.
boost::asio::awaitable<boost::system::error_code> read_messages(connection& c,
                                                                message_sink on_message);

// Joins `room` and reads until the server confirms, skipping other frames (presence events).
boost::asio::awaitable<boost::system::error_code> join_room(connection& c, target_kind target,
                                                            std::uint64_t id, std::string room,
                                                            std::string name,
                                                            std::chrono::nanoseconds timeout);

// troupe only: leaves `room` and reads until the reply carrying `id`.
boost::asio::awaitable<boost::system::error_code> leave_room(connection& c, std::uint64_t id,
                                                             std::string room,
                                                             std::chrono::nanoseconds timeout);

// The WebSocket closing handshake, within `timeout`: sends a close frame, waits for the
// server's (through the connection's reader, if one is under way), shuts down the sending side,
// waits for the server's end of stream and closes the socket. Marks the connection `closing`.
boost::asio::awaitable<boost::system::error_code> close_connection(
    connection& c, std::chrono::nanoseconds timeout);

// Errors that mean "the connection went away because we closed it".
bool is_closed_error(boost::system::error_code ec) noexcept;

}  // namespace troupe::load
