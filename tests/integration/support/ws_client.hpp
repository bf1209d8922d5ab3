#pragma once
// ws_client: a WebSocket client for the integration tests. Every operation has a deadline: it
// runs asynchronously on the client's private io_context, driven by the calling thread only
// until it completes or the deadline passes (beast::error::timeout; the connection is then
// dropped, since a half-done WebSocket operation leaves the stream unusable).
// Threads: one thread at a time per client; clients share nothing, so many threads may each
// drive their own.
#include "actors/runtime/result.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace troupe::it {

using json = nlohmann::json;

class ws_client {
 public:
  static constexpr std::chrono::milliseconds default_timeout{5000};

  explicit ws_client(std::chrono::milliseconds timeout = default_timeout);
  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;
  ~ws_client();

  // TCP connect and WebSocket handshake on 127.0.0.1:`port`.
  result<void> connect(std::uint16_t port, std::string_view target = "/ws");
  // connect, then read the welcome frame (remembering its session id).
  result<json> connect_welcome(std::uint16_t port);

  result<void> send_text(std::string_view text);
  result<void> send_json(const json& j) { return send_text(j.dump()); }
  result<void> send_binary(std::string_view data);
  // One frame of a fragmented text message; `last` ends the message.
  result<void> send_text_piece(std::string_view piece, bool last);
  // Sends a ping control frame. The pongs that come back are collected while reading.
  result<void> send_ping(std::string_view payload);
  const std::vector<std::string>& pongs() const noexcept { return pongs_; }
  // Pings from the server seen while reading (Beast answers each with a pong).
  std::size_t pings() const noexcept { return pings_; }

  // The next message, as text / parsed (a message that is not JSON is an error).
  result<std::string> read_text();
  result<json> read_json();
  // Reads until a message satisfies `pred` (at most `max_frames`); the ones passed over are
  // appended to `skipped` when given.
  result<json> read_until(const std::function<bool(const json&)>& pred,
                          std::vector<json>* skipped = nullptr, std::size_t max_frames = 100000);
  // send_json, then read_json.
  result<json> request(const json& j);

  // The close frame the server sent, once a read has failed because of it (code none before).
  boost::beast::websocket::close_reason close_received() const { return ws_.reason(); }
  // Reads (and drops) messages until the server closes; its close reason.
  result<boost::beast::websocket::close_reason> read_close();
  // Starts and finishes a close handshake from this side.
  result<void> close(
      boost::beast::websocket::close_code code = boost::beast::websocket::close_code::normal);
  // Drops the TCP connection without a close handshake, like a crashed client.
  void abort();

  bool is_open() const { return ws_.is_open(); }
  // The session id from the welcome frame ("" before connect_welcome).
  const std::string& session() const noexcept { return session_; }
  void set_timeout(std::chrono::milliseconds t) noexcept { timeout_ = t; }

 private:
  // Runs until the operation that sets `done` completes; on timeout drops the connection.
  bool wait(const bool& done);

  std::chrono::milliseconds timeout_;
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  std::string session_;
  std::vector<std::string> pongs_;
  std::size_t pings_ = 0;
};

}  // namespace troupe::it
