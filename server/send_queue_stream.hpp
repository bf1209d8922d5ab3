#pragma once
// send_queue_stream: the TCP stream under a connection's WebSocket stream, and the socket's only
// writer. Everything written - the session's frames and Beast's own bytes (the handshake
// response, pongs, close frames) - goes through one queue and leaves in the order it was queued.
//
// Why: queued frames go out in one non-blocking gather write (up to 64 per system call) made
// right away, or in the io thread's next batch of sends, with no asynchronous operation, handler
// or coroutine resumption per write; only when the socket cannot take everything does the
// stream wait for it to become writable.
// Frames come framed and shared (actors/frame.hpp), so a broadcast is never copied per member.
// Beast's own writes are copied (they are small) and complete only once their bytes are sent:
// Beast keeps its one-write-at-a-time rule, and a client that floods pings while not reading
// finds its pongs waiting behind the blocked socket rather than piling up here.
//
// Reads go to the socket, after any bytes that were read before the stream existed (a client's
// first frames sent right behind its upgrade request, which the HTTP reader already took in).
//
// Threads: used on the connection's strand only, like the WebSocket stream above it. The state
// lives in a shared_ptr, so a wait for the socket never outlives what it touches.
#include "actors/frame.hpp"
#include "server/send_batch.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <utility>

namespace troupe {

class send_queue_stream {
 public:
  using socket_type = boost::asio::ip::tcp::socket;
  using executor_type = socket_type::executor_type;
  using write_handler =
      boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;
  using drained_handler = boost::asio::any_completion_handler<void()>;

  explicit send_queue_stream(socket_type socket);
  // With a batch, sends join the io thread's next batched submission instead of being made at
  // once (see send_batch: an io_context with one thread only).
  send_queue_stream(socket_type socket, send_batch* batch);

  executor_type get_executor() noexcept;
  socket_type& next_layer() noexcept;  // Beast's lowest layer: what it closes on a timeout

  // Bytes already read from the socket, to be read again before anything the socket brings.
  void unread(std::string bytes);

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          if (!unread_) return next_layer().async_read_some(b, std::move(handler));
          const auto n = take_unread(b);
          boost::asio::post(get_executor(), boost::asio::append(std::move(handler),
                                                                boost::system::error_code{}, n));
        },
        token, buffers);
  }

  // Beast's writes: queued after everything queued before; completes once all of it is sent.
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          std::string bytes(boost::asio::buffer_size(b), '\0');
          boost::asio::buffer_copy(boost::asio::buffer(bytes), b);
          write_copy(std::move(bytes), write_handler(std::move(handler)));
        },
        token, buffers);
  }

  // The session's frames: queue any number, then send().
  void queue(frame f);
  // Writes what the socket takes now (or in this pass's batch), without waiting; the rest goes
  // out as it becomes writable.
  void send();
  bool sending() const noexcept;  // bytes are waiting for the socket or the batch
  bool blocked() const noexcept;  // bytes are waiting for the socket: it was full
  bool failed() const noexcept;   // a write failed: nothing more will be sent
  // Completes (never inline) once nothing waits to be sent, or a write failed. One at a time.
  template <class Token>
  auto async_wait_drained(Token&& token) {
    return boost::asio::async_initiate<Token, void()>(
        [this](auto handler) { wait_drained(drained_handler(std::move(handler))); }, token);
  }

 private:
  friend void async_teardown_bounded(
      boost::beast::role_type role, send_queue_stream& stream,
      boost::asio::any_completion_handler<void(boost::system::error_code)> handler);
  struct state;
  void write_copy(std::string bytes, write_handler done);
  void wait_drained(drained_handler done);
  template <class MutableBuffers>
  std::size_t take_unread(const MutableBuffers& b) {
    const auto n = boost::asio::buffer_copy(b, boost::asio::buffer(*unread_));
    if (n == unread_->size()) {
      unread_.reset();
    } else {
      unread_->erase(0, n);
    }
    return n;
  }

  std::shared_ptr<state> state_;
  std::unique_ptr<std::string> unread_;  // rare, so not inline: an idle connection pays 8 bytes
};

// Beast's websocket stream tears the connection down through these, found by ADL, after the
// closing handshake. Beast's own teardown reads until the peer closes TCP, however long that
// takes: a peer that keeps its socket open after the handshake would keep the connection, and
// its session in its rooms, until the idle timeout. So the wait for the peer is bounded (the
// server sent its FIN already; waiting only spares the peer a reset while data is on its way).
inline constexpr std::chrono::seconds teardown_limit{1};
void teardown(boost::beast::role_type role, send_queue_stream& stream,
              boost::system::error_code& ec);
void async_teardown_bounded(
    boost::beast::role_type role, send_queue_stream& stream,
    boost::asio::any_completion_handler<void(boost::system::error_code)> handler);
template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, send_queue_stream& stream,
                    TeardownHandler&& handler) {
  async_teardown_bounded(role, stream, std::forward<TeardownHandler>(handler));
}

}  // namespace troupe
