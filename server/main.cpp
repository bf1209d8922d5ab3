// troupe: a WebSocket-facing actor server. Thin on purpose: configuration, logging, signals.
#include "config/load_config.hpp"
#include "config/logging.hpp"
#include "server/server.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/signal_set.hpp>

#include <pthread.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdlib>
#include <future>
#include <iostream>
#include <string_view>

namespace {

// Lets the process use every descriptor it may (the hard limit) for connections, and says so when
// that is fewer than the configured connection limit: past it new connections get 503.
void raise_descriptor_limit(std::size_t max_connections) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  spdlog::info("file descriptor limit: {}", lim.rlim_cur);
  constexpr rlim_t for_the_process = 16;  // standard streams, the listener, epoll, timers, spare
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < max_connections + for_the_process)
    spdlog::warn(
        "the file descriptor limit ({}) is below server.max_connections ({}): past about {} "
        "connections new ones get 503",
        lim.rlim_cur, max_connections,
        lim.rlim_cur > for_the_process ? lim.rlim_cur - for_the_process : 0);
}

const char* signal_name(int sig) {
  return sig == SIGINT ? "SIGINT" : "SIGTERM";
}

// Runs the server until SIGINT or SIGTERM; the exit status. A second signal during the stop ends
// the process at once (128 + the signal): the shutdown grace may be long, and an operator who
// presses Ctrl-C twice means it.
int serve(const troupe::config& cfg) {
  // Until the signal_set listens, SIGINT and SIGTERM stay pending instead of killing the process
  // unlogged; the io threads the server starts inherit the mask and never take them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  try {
    troupe::server server(cfg);
    std::promise<int> signalled;
    boost::asio::signal_set signals(server.system().io_context(), SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int sig) {
      if (ec) return;
      signalled.set_value(sig);
      signals.async_wait([](boost::system::error_code ec, int sig) {
        if (ec) return;
        spdlog::warn("received {} while stopping; exiting now", signal_name(sig));
        troupe::stop_logging();
        std::_Exit(128 + sig);
      });
    });
    pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
    const int sig = signalled.get_future().get();
    spdlog::info("received {}", signal_name(sig));
    server.stop();
  } catch (const boost::system::system_error& e) {
    // "bind: Address already in use", without the Boost source location after it.
    const std::string_view what = e.what();
    spdlog::critical("troupe could not start: {}", what.substr(0, what.find(" [")));
    return 1;
  } catch (const std::exception& e) {
    spdlog::critical("troupe could not start: {}", e.what());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // A log reader that goes away (`troupe | head`, a log shipper that died) must not end the
  // server: a failed write to stderr is only an error. (Sockets never raise it: Asio sends with
  // MSG_NOSIGNAL.)
  std::signal(SIGPIPE, SIG_IGN);
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
  raise_descriptor_limit(cfg.server.max_connections);
  const int status = serve(cfg);
  // The last lines out before exiting; but a stuck stderr must not keep the process alive.
  if (!troupe::stop_logging()) std::_Exit(status);
  return status;
}
