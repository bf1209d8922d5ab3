// baseline_echo: a raw Beast WebSocket echo server, the reference point for troupe's echo.
#include "bench/baseline/echo_session.hpp"
#include "bench/baseline/server_runner.hpp"

#include <boost/asio/co_spawn.hpp>

int main(int argc, char** argv) {
  return troupe::baseline::run_server(argc, argv, "baseline_echo", [](auto socket) {
    auto ex = socket.get_executor();
    boost::asio::co_spawn(ex, troupe::baseline::run_echo_session(std::move(socket)),
                          troupe::baseline::log_exception);
  });
}
