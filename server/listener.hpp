#pragma once
// listener: accepts TCP connections and starts an http_session for each, on one of the io
// threads in turn (see connection_executor). The accept loop itself runs on the first io thread,
// so while that thread is busy (a long handler of an actor placed there) connections wait.
// At the connection limit (server.max_connections) or when the process runs out of file
// descriptors it answers 503 with a JSON body, closes, logs, and keeps serving the connections
// it has.
// Threads: the accept loop runs on the listener's strand (on the first io thread); stop() may be
// called from any thread.
#include "server/server_context.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <cstdint>

namespace troupe {

class listener {
 public:
  // Binds and listens; throws boost::system::system_error if it cannot (a startup failure).
  listener(server_context& ctx, const boost::asio::ip::tcp::endpoint& endpoint);
  ~listener();

  void start();
  void stop();
  std::uint16_t port() const noexcept { return port_; }

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> refuse_for_lack_of_descriptors();
  boost::asio::awaitable<void> refuse_politely(boost::asio::ip::tcp::socket socket);
  void refuse_now(boost::asio::ip::tcp::socket& socket, const char* why);
  void log_refusal(const char* why);
  bool time_to_log();  // at most once a second, so a flood of refusals cannot flood the log
  void reopen_spare();
  // Where a new connection's handlers run for its whole life: the next io thread's io_context.
  boost::asio::any_io_executor connection_executor();

  server_context& ctx_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  int spare_fd_ = -1;      // held in reserve so a 503 can still be sent when descriptors run out
  std::size_t taken_ = 0;  // on the strand: connections served so far, for connection_executor
  std::chrono::steady_clock::time_point last_refusal_log_{};
};

}  // namespace troupe
