#include "server/http_session.hpp"

#include "server/http_api.hpp"
#include "server/log_failure.hpp"
#include "server/websocket_session.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <tuple>

namespace troupe {
namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using asio::as_tuple;
using asio::use_awaitable;

namespace {

// RFC 6455 4.1: 16 bytes in base64, so 22 characters of its alphabet and "==". (Beast checks only
// that there is one of at most 24 characters.)
bool is_websocket_key(std::string_view key) {
  if (key.size() != 24 || !key.ends_with("==")) return false;
  return std::all_of(key.begin(), key.end() - 2, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
  });
}

// A request that asks to become a WebSocket, including the HTTP/1.0 ones Beast's is_upgrade
// does not count (so that they hear why they are refused).
bool asks_for_websocket(const http_request& req) {
  return beast::websocket::is_upgrade(req) ||
         (req.version() < 11 && beast::iequals(req[http::field::upgrade], "websocket"));
}

// What Beast would refuse in this upgrade request, answered here as JSON like every other HTTP
// error (Beast's own refusals have plain-text bodies), and a page server.allowed_origins does
// not admit; nullopt if the handshake can go ahead.
std::optional<http_response> refuse_upgrade(const http_request& req, const origin_policy& origins) {
  if (req.version() < 11)
    return http_error(http::status::bad_request, "bad_request",
                      "a WebSocket handshake needs HTTP/1.1", req.version());
  if (auto bad_host = refuse_host(req)) return bad_host;
  if (req[http::field::host].empty())  // Beast would refuse it too, in plain text
    return http_error(http::status::bad_request, "bad_request",
                      "a WebSocket handshake needs a Host header with a value");
  if (req.count(http::field::sec_websocket_key) != 1 ||
      !is_websocket_key(req[http::field::sec_websocket_key]))
    return http_error(http::status::bad_request, "bad_request",
                      "a handshake has one Sec-WebSocket-Key, the base64 of 16 random bytes");
  if (req[http::field::sec_websocket_version] != "13") {
    auto res = http_error(http::status::upgrade_required, "upgrade_required",
                          "this server speaks WebSocket version 13 (Sec-WebSocket-Version: 13)");
    res.set(http::field::sec_websocket_version, "13");
    return res;
  }
  return refuse_origin(req, origins);
}

class http_session : public closable, public std::enable_shared_from_this<http_session> {
 public:
  http_session(server_context& ctx, asio::ip::tcp::socket socket, connection_slot slot)
      : ctx_(ctx), stream_(std::move(socket)), slot_(std::move(slot)) {}
  ~http_session() override {
    if (registration_) ctx_.connections.remove(registration_);
  }

  asio::awaitable<void> run() {
    registration_ = ctx_.connections.add(weak_from_this());
    if (registration_ == 0) co_return;  // shutting down
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(ctx_.settings.max_http_body);
      auto ec = co_await read_request_in_time(buffer, parser);
      if (ec) {
        if (ec == beast::error::timeout && (parser.got_some() || buffer.size() > 0)) {
          // Part of a request came, then the client stalled: say why the connection ends.
          auto res =
              http_error(http::status::request_timeout, "request_timeout",
                         "the request was not complete within " +
                             std::to_string(ctx_.settings.handshake_timeout.count()) + " ms");
          res.keep_alive(false);
          co_await send(res);
          co_await drain_then_close(buffer);
          co_return;
        }
        if (ec == http::error::body_limit) {
          auto res = http_error(http::status::payload_too_large, "payload_too_large",
                                "the request body is over the server's limit");
          co_await send(res);
          co_await drain_then_close(buffer);
          co_return;
        }
        if (ec != http::error::end_of_stream && ec != asio::error::operation_aborted &&
            ec != beast::error::timeout && ec != asio::error::eof &&
            ec != asio::error::connection_reset) {
          auto res = http_error(http::status::bad_request, "bad_request",
                                "the request is not valid HTTP/1.1: " + ec.message());
          co_await send(res);
          co_await drain_then_close(buffer);
          co_return;
        }
        break;
      }
      auto req = parser.release();
      if (asks_for_websocket(req)) {
        const std::string_view target = origin_form(req.target());
        if (target.substr(0, target.find('?')) != "/ws") {
          auto res =
              http_error(http::status::not_found, "not_found", "WebSocket connections go to /ws");
          co_await send(res);
          co_await drain_then_close(buffer);
          co_return;
        }
        if (auto refused = refuse_upgrade(req, ctx_.settings.origins)) {
          // Frames the client sent right behind its request must not reset the answer away.
          co_await send(*refused);
          co_await drain_then_close(buffer);
          co_return;
        }
        ctx_.connections.remove(std::exchange(registration_, 0));
        // The WebSocket session runs on as its own coroutine, so this one ends and frees its
        // parser and read buffer: an idle connection should cost as little memory as it can.
        auto ws = std::make_shared<websocket_session>(ctx_, std::move(stream_), std::move(slot_),
                                                      std::move(req),
                                                      beast::buffers_to_string(buffer.data()));
        asio::co_spawn(
            ws->executor(), ws->run(),
            [ws, log = log_failure("a websocket session")](std::exception_ptr e) { log(e); });
        co_return;
      }
      auto res = co_await handle_http(ctx_, req);
      if (stopping_) res.keep_alive(false);
      if (!co_await send(res)) break;
      if (!req.keep_alive() || stopping_) break;
    }
    boost::system::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  }

  void close_for_shutdown() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      self->stopping_ = true;
      self->stream_.cancel();  // an idle keep-alive read ends now; a request in progress finishes
    });
  }

  void abort() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->stream_.close(); });
  }

 private:
  // read_request within the handshake timeout, which also bounds how long a keep-alive
  // connection may idle before its next request; beast::error::timeout when it runs out. (A
  // timer of our own: the stream's would close the socket, and a stalled request gets a 408.)
  asio::awaitable<boost::system::error_code> read_request_in_time(
      beast::flat_buffer& buffer, http::request_parser<http::string_body>& parser) {
    stream_.expires_never();
    const auto read = ++reads_;
    request_deadline_.expires_after(ctx_.settings.handshake_timeout);
    request_deadline_.async_wait([self = shared_from_this(), read](boost::system::error_code ec) {
      // A deadline that fired as the read ended must not cancel what comes after it.
      if (ec || read != self->reads_) return;
      self->read_timed_out_ = true;
      boost::system::error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
    read_timed_out_ = false;
    auto ec = co_await read_request(buffer, parser);
    ++reads_;
    request_deadline_.cancel();
    if (read_timed_out_ && ec == asio::error::operation_aborted) ec = beast::error::timeout;
    co_return ec;
  }

  // Reads a request's head, then its body. A client that sent `Expect: 100-continue` waits for
  // a 100 (Continue) before it sends the body (RFC 7231 5.1.1); one whose body is over the limit
  // hears 413 from the head alone instead.
  asio::awaitable<boost::system::error_code> read_request(
      beast::flat_buffer& buffer, http::request_parser<http::string_body>& parser) {
    auto [ec, n] =
        co_await http::async_read_header(stream_, buffer, parser, as_tuple(use_awaitable));
    // A Transfer-Encoding whose last coding is not chunked leaves a request's length unknown
    // (RFC 7230 3.3.3): Beast would read no body, and take the body for the next request, as a
    // proxy in front may not.
    if (!ec && parser.get().count(http::field::transfer_encoding) > 0 && !parser.chunked())
      ec = http::error::bad_transfer_encoding;
    if (ec || parser.is_done()) co_return ec;
    // (An HTTP/1.0 client's expectation is ignored, as RFC 7231 5.1.1 says.)
    if (parser.get().version() >= 11 &&
        beast::iequals(parser.get()[http::field::expect], "100-continue")) {
      http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
      std::tie(ec, n) = co_await http::async_write(stream_, go_on, as_tuple(use_awaitable));
      if (ec) co_return ec;
    }
    std::tie(ec, n) = co_await http::async_read(stream_, buffer, parser, as_tuple(use_awaitable));
    co_return ec;
  }

  // Writes `res`; false if the connection should end (write failed or not keep-alive).
  // Takes a reference to the caller's local: GCC 12 destroys by-value class temporaries of a
  // co_await expression twice.
  asio::awaitable<bool> send(http_response& res) {
    const bool keep = res.keep_alive();
    // A fresh deadline: the one for reading the request also ran while the connection idled
    // and while the request was handled (up to the ask timeout).
    stream_.expires_after(ctx_.settings.handshake_timeout);
    auto [ec, n] = co_await http::async_write(stream_, res, as_tuple(use_awaitable));
    co_return !ec && keep;
  }

  // Ends a connection whose request was refused before it was read to the end. Closing a socket
  // with unread bytes makes the kernel reset the connection, which can destroy the answer
  // before the client reads it; so the rest is read and dropped first, within limits.
  asio::awaitable<void> drain_then_close(beast::flat_buffer& buffer) {
    boost::system::error_code ec;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(1));
    constexpr std::size_t most = 4 << 20;
    for (std::size_t drained = 0; !ec && drained < most;) {
      buffer.clear();
      std::size_t n = 0;
      std::tie(ec, n) =
          co_await stream_.async_read_some(buffer.prepare(16 * 1024), as_tuple(use_awaitable));
      drained += n;
    }
  }

  server_context& ctx_;
  beast::tcp_stream stream_;
  connection_slot slot_;
  std::uint64_t registration_ = 0;
  bool stopping_ = false;  // strand only
  asio::steady_timer request_deadline_{stream_.get_executor()};
  std::uint64_t reads_ = 0;      // numbers each request read, for its deadline
  bool read_timed_out_ = false;  // the deadline cancelled the read under way
};

}  // namespace

void start_http_session(server_context& ctx, asio::ip::tcp::socket socket, connection_slot slot) {
  auto executor = socket.get_executor();
  auto session = std::make_shared<http_session>(ctx, std::move(socket), std::move(slot));
  asio::co_spawn(executor, session->run(),
                 [session, log = log_failure("a connection")](std::exception_ptr e) { log(e); });
}

}  // namespace troupe
