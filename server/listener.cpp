#include "server/listener.hpp"

#include "server/http_api.hpp"
#include "server/http_session.hpp"
#include "server/log_failure.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <fcntl.h>
#include <unistd.h>

namespace troupe {
namespace asio = boost::asio;
using asio::ip::tcp;

listener::listener(server_context& ctx, const tcp::endpoint& endpoint)
    : ctx_(ctx), strand_(asio::make_strand(ctx.system.io_context())), acceptor_(strand_) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
  // The accept loop's own accepts are asynchronous; the one synchronous accept (with the spare
  // descriptor, when out of them) must return at once when nobody is waiting.
  acceptor_.non_blocking(true);
  reopen_spare();
}

listener::~listener() {
  if (spare_fd_ >= 0) ::close(spare_fd_);
}

void listener::reopen_spare() {
  if (spare_fd_ < 0) spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

asio::any_io_executor listener::connection_executor() {
  // Connections go to the io threads in turn, starting with the first, counted as
  // troupe_connections_total counts them (a failed or refused accept keeps its turn). Each
  // io_context has one thread, which runs a connection's handlers one at a time, an implicit
  // strand: a real one would only add a queue and a lock to every handler (and keep its sends
  // out of the thread's batch).
  return ctx_.system.io_context(taken_ % ctx_.system.thread_count()).get_executor();
}

void listener::start() {
  asio::co_spawn(strand_, accept_loop(), log_failure("the listener"));
}

void listener::stop() {
  asio::post(strand_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
}

asio::awaitable<void> listener::accept_loop() {
  for (;;) {
    auto [ec, socket] =
        co_await acceptor_.async_accept(connection_executor(), asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec == asio::error::no_descriptors || ec.value() == ENFILE) {
      co_await refuse_for_lack_of_descriptors();
      continue;
    }
    if (ec == asio::error::connection_aborted) continue;  // the client gave up while waiting
    if (ec) {
      // Short of memory or buffers, or refused by a security module: it may last, so a pause
      // instead of a spin on the first io thread, and a log line at most once a second.
      if (time_to_log()) spdlog::warn("accept failed: {}; accepting again shortly", ec.message());
      asio::steady_timer pause(strand_, std::chrono::milliseconds(10));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    if (ctx_.metrics.connections_current.load(std::memory_order_relaxed) >=
        static_cast<std::int64_t>(ctx_.settings.max_connections)) {
      log_refusal("the server is at its connection limit");
      auto ex = socket.get_executor();
      asio::co_spawn(ex, refuse_politely(std::move(socket)), log_failure("refusing a connection"));
      continue;
    }
    ctx_.metrics.connections_total.fetch_add(1, std::memory_order_relaxed);
    ++taken_;
    boost::system::error_code ignored;  // a connection already reset fails later, on its own
    socket.set_option(tcp::no_delay(true), ignored);
    start_http_session(ctx_, std::move(socket), connection_slot(ctx_.metrics.connections_current));
  }
}

// Linux reports EMFILE from accept before it looks at the backlog, so "out of descriptors" does
// not mean anyone is waiting: the accept that uses the spare descriptor must not block (it would
// stall the listener and every connection on the first io thread), and until someone knocks the
// listener waits for readability instead of accepting (which would fail again at once).
asio::awaitable<void> listener::refuse_for_lack_of_descriptors() {
  if (spare_fd_ >= 0) {
    ::close(spare_fd_);
    spare_fd_ = -1;
    boost::system::error_code ec;
    tcp::socket victim(ctx_.system.io_context());
    acceptor_.accept(victim, ec);  // non-blocking: see the constructor
    if (!ec) refuse_now(victim, "the process is out of file descriptors");
    reopen_spare();
    if (!ec) co_return;  // someone else may be waiting: accept again
  }
  if (spare_fd_ < 0) {
    // Another part of the process took the descriptor: nobody can be answered for now.
    if (time_to_log())
      spdlog::error("out of file descriptors, with none to spare for a 503: new connections wait");
    asio::steady_timer pause(strand_, std::chrono::milliseconds(100));
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    reopen_spare();
    co_return;
  }
  co_await acceptor_.async_wait(tcp::acceptor::wait_read, asio::as_tuple(asio::use_awaitable));
}

bool listener::time_to_log() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_log_ < std::chrono::seconds(1)) return false;
  last_refusal_log_ = now;
  return true;
}

void listener::log_refusal(const char* why) {
  ctx_.metrics.connections_refused.fetch_add(1, std::memory_order_relaxed);
  if (time_to_log()) {
    spdlog::warn("refusing connections with 503: {} ({} open, {} refused so far)", why,
                 ctx_.metrics.connections_current.load(), ctx_.metrics.connections_refused.load());
  }
}

namespace {
http_response unavailable(const char* why) {
  auto res = http_error(boost::beast::http::status::service_unavailable, "unavailable",
                        std::string(why) + "; try again later");
  res.set(boost::beast::http::field::retry_after, "1");
  return res;
}
}  // namespace

// Reads the request head first, so closing does not reset the connection before the client has
// read the answer; gives up after two seconds. Exceptions cannot escape: errors are values here.
asio::awaitable<void> listener::refuse_politely(tcp::socket socket) {
  boost::beast::tcp_stream stream(std::move(socket));
  stream.expires_after(std::chrono::seconds(2));
  boost::beast::flat_buffer buffer;
  boost::beast::http::request_parser<boost::beast::http::empty_body> parser;
  co_await boost::beast::http::async_read_header(stream, buffer, parser,
                                                 asio::as_tuple(asio::use_awaitable));
  auto res = unavailable("the server is at its connection limit");
  co_await boost::beast::http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

void listener::refuse_now(tcp::socket& socket, const char* why) {
  log_refusal(why);
  // Out of descriptors, nothing can wait: a short response on a fresh socket fits its send
  // buffer, so this write does not block.
  auto res = unavailable(why);
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  boost::beast::http::write(socket, res, ignored);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace troupe
