// troupe: a WebSocket-facing actor server. Thin on purpose: configuration, logging, signals.
#include "config/load_config.hpp"
#include "config/logging.hpp"
#include "server/server.hpp"

#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <sys/resource.h>

#include <csignal>
#include <future>
#include <iostream>

namespace {

// Lets the process use every descriptor it may (the hard limit) for connections.
void raise_descriptor_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) spdlog::info("file descriptor limit: {}", lim.rlim_cur);
}

}  // namespace

int main(int argc, char** argv) {
  troupe::config cfg;
  try {
    cfg = troupe::load_config(argc, argv);
  } catch (const troupe::help_requested& help) {
    std::cout << help.text();
    return 0;
  } catch (const troupe::config_error& e) {
    std::cerr << "troupe: invalid configuration: " << e.what() << "\n";
    return 2;
  }
  troupe::init_logging(cfg);
  raise_descriptor_limit();

  try {
    troupe::server server(cfg);
    std::promise<int> signalled;
    boost::asio::signal_set signals(server.system().io_context(), SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int sig) {
      if (!ec) signalled.set_value(sig);
    });
    const int sig = signalled.get_future().get();
    spdlog::info("received {}", sig == SIGINT ? "SIGINT" : "SIGTERM");
    server.stop();
  } catch (const std::exception& e) {
    spdlog::critical("troupe could not start: {}", e.what());
    return 1;
  }
  return 0;
}
