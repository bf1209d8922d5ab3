#pragma once
// websocket_session: one upgraded connection on GET /ws. It owns the socket: a reader turns
// frames into messages for the connection's session_actor, and the writer drains the session's
// outbox into the socket's send queue (send_queue_stream), the socket's only writer. Close codes:
// 1003 for a binary frame, 1009 for a message over limits.max_message_bytes (sent by Beast), 1013
// when the client reads too slowly and its outbox overflows, 1001 at shutdown, 1011 if the session
// actor died.
//
// Only the handshake is a coroutine. The reader and the writer are chains of completion
// handlers, so an idle connection holds no coroutine frame: just its pending read and the
// writer's handler armed on the outbox. The reader waits for a message's first byte with no
// buffer, and reads the rest straight into the string the session actor gets.
//
// Threads: the handshake, the reader, the writer and every member run on the connection's strand
// (the socket's executor: its io thread's io_context, which only that thread runs), as does its
// session actor; close_for_shutdown and keepalive may be called from any thread and post onto it.
#include "server/connection_registry.hpp"
#include "server/http_api.hpp"
#include "server/send_queue_stream.hpp"
#include "server/server_context.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace troupe {

class websocket_session : public closable, public std::enable_shared_from_this<websocket_session> {
 public:
  // `upgrade` is the client's upgrade request, already read from `stream`; `early` what the
  // HTTP reader took in behind it (frames a client sent without waiting for the 101).
  websocket_session(server_context& ctx, boost::beast::tcp_stream stream, connection_slot slot,
                    http_request upgrade, std::string early);
  ~websocket_session() override;

  // Accepts the upgrade, then starts the reader and the writer, which serve the connection
  // until it closes (each holds the session alive while it has an operation pending).
  boost::asio::awaitable<void> run();
  boost::asio::any_io_executor executor() { return ws_.get_executor(); }
  void close_for_shutdown() override;
  void abort() override;                         // posts onto the strand
  void keepalive(keepalive_verdict v) override;  // posts onto the strand

 private:
  void open_session();
  void hear();  // the peer sent something: stamp the keep-alive clock's tick
  void on_keepalive(keepalive_verdict v);
  void close_session();
  // The reader: the first byte of a message, the rest of it, then its hand-over to the session
  // actor, which waits (no reading meanwhile) while the actor's mailbox is full.
  void read_message();
  void on_first_byte(boost::system::error_code ec, std::size_t n);
  void read_rest();
  void on_message(boost::system::error_code ec);
  void deliver();
  // The writer: moves what the outbox holds into the send queue and sends it; then waits for
  // the socket to take it all, or for the outbox, or closes the connection once it is closed.
  void write_ready();
  void wait_for_socket();
  void write_close();
  // Starts the closing deadline if the writer is waiting for the socket and the outbox is closed.
  void arm_closing_deadline();
  void start_closing_deadline();
  boost::beast::websocket::close_reason close_reason_for_writer() const;
  // Closes the TCP connection under the WebSocket: the reader fails, which ends the session.
  void drop_connection();

  server_context& ctx_;
  boost::beast::websocket::stream<send_queue_stream> ws_;
  connection_slot slot_;
  std::string id_;
  std::string peer_;
  std::unique_ptr<http_request> upgrade_;  // until the handshake is done
  std::shared_ptr<outbox> out_;
  char first_byte_ = 0;                 // strand only, like the reader's state below
  session_actor::client_text message_;  // the message being read or handed over
  using text_buffer =
      boost::asio::dynamic_string_buffer<char, std::char_traits<char>, std::allocator<char>>;
  std::optional<text_buffer> message_buffer_;  // Beast's view of message_.text while reading it
  std::vector<frame> batch_;  // strand only: the writer's batch, its storage kept while small
  actor_ref<session_actor> session_;
  std::uint64_t registration_ = 0;
  heard_stamp heard_{0};       // written on the strand, read by idle_sweep
  bool reader_done_ = false;   // strand only
  bool ping_pending_ = false;  // strand only
  bool going_away_ = false;    // strand only
  // strand only: set by the reader to have the writer close the connection (1003)
  std::optional<boost::beast::websocket::close_reason> refused_;
  // strand only: made when closing stalls on a peer that does not read (rare, so not inline)
  std::unique_ptr<boost::asio::steady_timer> closing_deadline_;
};

}  // namespace troupe
