// troupe: a WebSocket-facing actor server. Thin on purpose: configuration, logging, signals.
#include "config/load_config.hpp"
#include "config/logging.hpp"
#include "server/server.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <pthread.h>
#include <sys/resource.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string_view>
#include <thread>

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

// A second SIGINT/SIGTERM while the server stops: the shutdown grace may be long, and an
// operator who signals again (Ctrl-C twice) means it. Logging stays up (other threads still
// log); its last lines get a moment to go out. One within `same_request` of the first is the
// same request from a second sender (a terminal's Ctrl-C reaching a wrapper that forwards it
// too, an init and a group kill), which comes within a few milliseconds: it does not cut the
// graceful stop short. A person pressing Ctrl-C twice takes longer than that.
constexpr auto same_request = std::chrono::milliseconds(100);

[[noreturn]] void exit_now(int sig) {
  spdlog::warn("received {} while stopping; exiting now", signal_name(sig));
  troupe::drain_logging(std::chrono::seconds(1));
  std::_Exit(128 + sig);
}

// Runs the server until SIGINT or SIGTERM, then stops it; the exit status. `stop_signals` (SIGINT
// and SIGTERM) are blocked on entry, so that one sent while the server starts stays pending
// instead of killing the process unlogged; the io threads inherit the mask and never take them.
int serve(const troupe::config& cfg, const sigset_t& stop_signals) {
  try {
    troupe::server server(cfg);
    // The signals have an io_context of their own, run by this thread: a wait pending on the
    // server's would keep it from running out of work as it stops.
    boost::asio::io_context signal_io(1);
    boost::asio::signal_set signals(signal_io, SIGINT, SIGTERM);
    std::thread stopper;
    bool stopped = true;
    constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
    // A named lambda: the coroutine's references live in it, so it must outlive the coroutine.
    auto watch_signals = [&]() -> boost::asio::awaitable<void> {
      auto [ec, sig] = co_await signals.async_wait(use_tuple);
      if (ec) co_return;
      const auto first = std::chrono::steady_clock::now();
      spdlog::info("received {}", signal_name(sig));
      stopper = std::thread([&] {
        try {
          server.stop();
        } catch (const std::exception& e) {
          spdlog::critical("troupe could not stop cleanly: {}", e.what());
          stopped = false;
        }
        boost::asio::post(signal_io, [&] { signals.cancel(); });
      });
      for (;;) {
        auto [again_ec, again] = co_await signals.async_wait(use_tuple);
        if (again_ec) co_return;  // cancelled: the stop is over
        if (std::chrono::steady_clock::now() - first >= same_request) exit_now(again);
        spdlog::warn("received {} within {} ms of {}; taking it as the same request",
                     signal_name(again), same_request.count(), signal_name(sig));
      }
    };
    boost::asio::co_spawn(signal_io, watch_signals(), boost::asio::detached);
    pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
    signal_io.run();
    stopper.join();
    return stopped ? 0 : 1;
  } catch (const boost::system::system_error& e) {
    // "bind: Address already in use", without the Boost source location after it.
    const std::string_view what = e.what();
    spdlog::critical("troupe could not start: {}", what.substr(0, what.find(" [")));
    return 1;
  } catch (const std::exception& e) {
    spdlog::critical("troupe could not start: {}", e.what());
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // A log reader that goes away (`troupe | head`, a log shipper that died) must not end the
  // server: a failed write to stderr is only an error. (Sockets never raise it: Asio sends with
  // MSG_NOSIGNAL.)
  std::signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // until serve() listens for them
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
  const int status = serve(cfg, stop_signals);
  // The last lines out before exiting; but a stuck stderr must not keep the process alive.
  if (!troupe::stop_logging()) std::_Exit(status);
  return status;
}
