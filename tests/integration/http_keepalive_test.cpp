// HTTP keep-alive: each reply gets the whole handshake timeout to be written. The deadline for
// reading a request also runs while the connection idles before it, so a reply written under that
// same deadline could be cut off by the time the client spent idle. A request that stalls within
// that deadline gets 408.
#include "tests/integration/support/io_wait.hpp"
#include "tests/integration/support/raw_connection.hpp"
#include "tests/integration/support/server_fixture.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <string>

namespace troupe::it {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;

constexpr int handshake_timeout_ms = 2000;
constexpr std::size_t messages = 300;
constexpr std::size_t text_bytes = 60000;  // 300 x 60 kB: far more than loopback socket buffers

class http_keepalive_test : public server_test {
 protected:
  troupe_options options() const override {
    return {{"--handshake-timeout-ms", std::to_string(handshake_timeout_ms), "--room-history",
             std::to_string(messages), "--max-text-bytes", std::to_string(text_bytes)},
            {},
            false};
  }
};

struct exchange_result {
  boost::system::error_code ec;
  unsigned status = 0;
  std::string body;
};

// On one keep-alive connection: GET /healthz; idle `idle`; GET `target`; wait `before_reading`
// without reading (the server's write stalls once the socket buffers are full); then read the
// reply.
asio::awaitable<exchange_result> idle_then_slow_read(std::uint16_t port, std::string target,
                                                     std::chrono::milliseconds idle,
                                                     std::chrono::milliseconds before_reading) {
  exchange_result out;
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(20s);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  beast::flat_buffer buffer;
  const auto get = [&](std::string t) {
    http::request<http::empty_body> req{http::verb::get, std::move(t), 11};
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(true);
    return req;
  };
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  using asio::as_tuple;
  using asio::use_awaitable;
  if (auto [ec] = co_await stream.async_connect(endpoint, as_tuple(use_awaitable)); ec) {
    out.ec = ec;
    co_return out;
  }
  auto health = get("/healthz");
  http::response<http::string_body> first;
  if (auto [ec, n] = co_await http::async_write(stream, health, as_tuple(use_awaitable)); ec) {
    out.ec = ec;
    co_return out;
  }
  if (auto [ec, n] = co_await http::async_read(stream, buffer, first, as_tuple(use_awaitable));
      ec) {
    out.ec = ec;
    co_return out;
  }
  timer.expires_after(idle);
  co_await timer.async_wait(as_tuple(use_awaitable));
  auto big = get(std::move(target));
  if (auto [ec, n] = co_await http::async_write(stream, big, as_tuple(use_awaitable)); ec) {
    out.ec = ec;
    co_return out;
  }
  timer.expires_after(before_reading);
  co_await timer.async_wait(as_tuple(use_awaitable));
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  auto [ec, n] = co_await http::async_read(stream, buffer, parser, as_tuple(use_awaitable));
  out.ec = ec;
  out.status = parser.get().result_int();
  out.body = std::move(parser.get().body());
  co_return out;
}

TEST_F(http_keepalive_test, a_reply_gets_the_whole_timeout_after_the_connection_idled) {
  const std::string text(text_bytes, 'x');
  const std::string body = json{{"text", text}, {"name", "bot"}}.dump();
  for (std::size_t i = 0; i < messages; ++i) {
    auto posted = http_post(port(), "/api/rooms/big/messages", body);
    ASSERT_TRUE(posted && posted->status == 200u) << "message " << i;
  }
  // Idle for 70 % of the timeout, then hold the big reply back for 40 % of it: the reply can be
  // written well within a timeout of its own, but not within what was left of the first one.
  exchange_result got;
  bool done = false;
  asio::io_context io;
  asio::co_spawn(io, idle_then_slow_read(port(), "/api/rooms/big", 1400ms, 800ms),
                 [&](std::exception_ptr e, exchange_result r) {
                   done = true;
                   got = std::move(r);
                   if (e) got.ec = make_error_code(boost::system::errc::io_error);
                 });
  ASSERT_TRUE(run_until(io, done, 30s));
  ASSERT_FALSE(got.ec) << got.ec.message() << " after " << got.body.size() << " bytes of the body";
  EXPECT_EQ(got.status, 200u);
  const auto room = json::parse(got.body, nullptr, false);
  ASSERT_FALSE(room.is_discarded());
  EXPECT_EQ(room["history"].size(), messages);
  EXPECT_EQ(room["last_seq"], messages);
}

// A request that began but did not arrive within the handshake timeout gets 408 and the
// connection ends; one that never began on an idle keep-alive connection gets no reply.
TEST_F(http_keepalive_test, a_stalled_request_gets_408_and_an_idle_connection_is_closed) {
  struct stall {
    const char* what;
    std::string bytes;
  };
  const stall stalls[] = {
      {"half a head", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"},
      {"half a body",
       "POST /api/counters/slow/inc HTTP/1.1\r\nHost: 127.0.0.1\r\n"
       "Content-Type: application/json\r\nContent-Length: 8\r\n\r\n{\"by\""},
      {"a second request, half sent",
       "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /healthz HTTP/1.1\r\n"},
  };
  for (const auto& s : stalls) {
    SCOPED_TRACE(s.what);
    raw_connection c(port());
    ASSERT_TRUE(c.connected());
    const auto sent = std::chrono::steady_clock::now();
    ASSERT_TRUE(c.send(s.bytes));
    auto reply =
        c.read_until("request_timeout", 3 * std::chrono::milliseconds(handshake_timeout_ms));
    const auto waited = std::chrono::steady_clock::now() - sent;
    ASSERT_TRUE(reply) << reply.error().message();
    EXPECT_NE(reply->find("HTTP/1.1 408 Request Timeout\r\n"), std::string::npos) << *reply;
    EXPECT_NE(reply->find(R"("code":"request_timeout")"), std::string::npos) << *reply;
    EXPECT_NE(reply->find("Connection: close\r\n"), std::string::npos) << *reply;
    EXPECT_GE(waited, std::chrono::milliseconds(handshake_timeout_ms) - 100ms);
    auto after = c.read_until("never sent", 3s);  // then the server closes
    ASSERT_TRUE(after) << "still open: " << after.error().message();
    EXPECT_EQ(*after, "");
  }

  raw_connection idle(port());
  ASSERT_TRUE(idle.connected());
  auto nothing = idle.read_until("never sent", 3 * std::chrono::milliseconds(handshake_timeout_ms));
  ASSERT_TRUE(nothing) << "still open: " << nothing.error().message();
  EXPECT_EQ(*nothing, "");
}

}  // namespace
}  // namespace troupe::it
