#include "tests/integration/support/http_client.hpp"

#include "tests/integration/support/io_wait.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <exception>

namespace troupe::it {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::as_tuple;
using asio::use_awaitable;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

asio::awaitable<boost::system::error_code> exchange(std::uint16_t port,
                                                    const http_request_spec& spec,
                                                    std::chrono::milliseconds limit,
                                                    http_reply& out) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(limit);  // covers connect, write and read together
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  if (auto [ec] = co_await stream.async_connect(endpoint, as_tuple(use_awaitable)); ec)
    co_return ec;

  http::request<http::string_body> req{spec.method, spec.target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  req.set(http::field::user_agent, "troupe-integration-tests");
  req.keep_alive(false);
  if (spec.send_body || !spec.body.empty()) {
    req.set(http::field::content_type, spec.content_type);
    req.body() = spec.body;
    req.prepare_payload();
  }
  if (auto [ec, n] = co_await http::async_write(stream, req, as_tuple(use_awaitable)); ec)
    co_return ec;

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  if (spec.method == http::verb::head) parser.skip(true);
  if (auto [ec, n] = co_await http::async_read(stream, buffer, parser, as_tuple(use_awaitable)); ec)
    co_return ec;
  auto res = parser.release();
  out.status = res.result_int();
  for (const auto& field : res)
    out.headers[lower(field.name_string())] = std::string(field.value());
  out.body = std::move(res.body());
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  co_return boost::system::error_code{};
}

}  // namespace

result<http_reply> http_call(std::uint16_t port, const http_request_spec& spec,
                             std::chrono::milliseconds limit) {
  http_reply reply;
  boost::system::error_code error;
  bool done = false;
  // Declared last: destroying it first ends a coroutine still holding references to the above.
  asio::io_context io;
  asio::co_spawn(io, exchange(port, spec, limit, reply),
                 [&](std::exception_ptr e, boost::system::error_code ec) {
                   done = true;
                   error = e ? make_error_code(boost::system::errc::io_error) : ec;
                 });
  if (!run_until(io, done, limit + std::chrono::seconds(1)))
    return make_error_code(beast::error::timeout);
  if (error) return error;
  return reply;
}

}  // namespace troupe::it
