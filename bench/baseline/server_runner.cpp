#include "bench/baseline/server_runner.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/error.hpp>

#include <charconv>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace troupe::baseline {
namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 9000;
  unsigned threads = 1;
};

template <class T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

bool parse(int argc, char** argv, server_options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i], value = argv[i + 1];
    bool ok = true;
    if (flag == "--host")
      o.host = std::string(value);
    else if (flag == "--port")
      ok = parse_number(value, o.port);
    else if (flag == "--threads")
      ok = parse_number(value, o.threads) && o.threads > 0;
    else
      ok = false;
    if (!ok) return false;
  }
  return argc % 2 == 1;
}

asio::awaitable<void> accept_loop(asio::io_context& ctx, tcp::acceptor& acceptor,
                                  session_starter& start_session) {
  asio::steady_timer backoff(acceptor.get_executor());
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ctx), use_tuple);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Out of descriptors, typically: say so, and give the sessions a moment to close some.
      log_error("accept", ec);
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(use_tuple);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    start_session(std::move(socket));
  }
}

}  // namespace

bool is_disconnect(error_code ec) noexcept {
  return ec == boost::beast::websocket::error::closed || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
         ec == asio::error::broken_pipe || ec == boost::beast::error::timeout;
}

void log_error(std::string_view what, error_code ec) {
  std::cerr << (std::string(what) + ": " + ec.message() + "\n");
}

void log_exception(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    std::cerr << (std::string("session failed: ") + x.what() + "\n");
  }
}

int run_server(int argc, char** argv, std::string_view name, session_starter start_session) {
  server_options o;
  if (!parse(argc, argv, o)) {
    std::cerr << "usage: " << name << " [--host 127.0.0.1] [--port 9000] [--threads 1]\n";
    return 2;
  }
  asio::io_context ctx(static_cast<int>(o.threads));
  error_code ec;
  const auto address = asio::ip::make_address(o.host, ec);
  if (ec) {
    std::cerr << name << ": bad --host " << o.host << ": " << ec.message() << "\n";
    return 2;
  }
  tcp::acceptor acceptor(ctx);
  const tcp::endpoint endpoint(address, o.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::cerr << name << ": cannot listen on " << o.host << ":" << o.port << ": " << ec.message()
              << "\n";
    return 1;
  }
  const auto bound = acceptor.local_endpoint();
  std::cout << "listening on " << bound.address().to_string() << ":" << bound.port() << std::endl;

  asio::signal_set signals(ctx, SIGINT, SIGTERM);
  signals.async_wait([&](error_code, int) { ctx.stop(); });
  asio::co_spawn(ctx, accept_loop(ctx, acceptor, start_session), log_exception);

  std::vector<std::thread> threads;
  for (unsigned i = 1; i < o.threads; ++i) threads.emplace_back([&ctx] { ctx.run(); });
  ctx.run();
  for (auto& t : threads) t.join();
  return 0;
}

}  // namespace troupe::baseline
