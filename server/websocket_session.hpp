#pragma once
// websocket_session: one upgraded connection on GET /ws. It owns the socket: a reader turns
// frames into messages for the connection's session_actor, and a writer — the socket's only
// writer — drains the session's outbox. Close codes: 1003 for a binary frame, 1009 for a
// message over limits.max_message_bytes (sent by Beast), 1013 when the client reads too slowly
// and its outbox overflows, 1001 at shutdown, 1011 if the session actor died.
//
// Threads: both coroutines and every member run on the connection's strand (the socket's
// executor); close_for_shutdown may be called from any thread and posts onto it.
#include "server/connection_registry.hpp"
#include "server/corked_stream.hpp"
#include "server/http_api.hpp"
#include "server/server_context.hpp"

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <memory>
#include <optional>
#include <string>

namespace troupe {

class websocket_session : public closable, public std::enable_shared_from_this<websocket_session> {
 public:
  // `upgrade` is the client's upgrade request, already read from `stream`.
  websocket_session(server_context& ctx, boost::beast::tcp_stream stream, connection_slot slot,
                    http_request upgrade);
  ~websocket_session() override;

  // Accepts the upgrade, then serves the connection until it closes.
  boost::asio::awaitable<void> run();
  boost::asio::any_io_executor executor() { return ws_.get_executor(); }
  void close_for_shutdown() override;

 private:
  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<void> write_loop();
  boost::beast::websocket::close_reason close_reason_for_writer() const;
  // Starts writing `f` with the socket corked, so its bytes wait for the batch's last frame.
  template <class Token>
  auto async_write_held(const frame& f, Token&& token);

  server_context& ctx_;
  boost::beast::websocket::stream<corked_stream<boost::beast::tcp_stream>> ws_;
  connection_slot slot_;
  std::string id_;
  std::string peer_;
  std::unique_ptr<http_request> upgrade_;  // until the handshake is done
  std::shared_ptr<outbox> out_;
  actor_ref<session_actor> session_;
  std::uint64_t registration_ = 0;
  bool reader_done_ = false;  // strand only
  bool going_away_ = false;   // strand only
  std::optional<boost::beast::websocket::close_reason> refused_;  // strand only: the reader asks the writer to close
};

}  // namespace troupe
