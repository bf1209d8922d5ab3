#pragma once
// Drives a private io_context until an operation reports completion or a deadline passes, so no
// client call in the integration tests can block forever.
// Threads: the calling thread runs the io_context; nothing else may run it at the same time.
#include <boost/asio/io_context.hpp>

#include <chrono>

namespace troupe::it {

// Runs handlers of `io` until `done` becomes true (set by a completion handler) or `limit`
// passes. True when `done` was set in time.
inline bool run_until(boost::asio::io_context& io, const bool& done,
                      std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  io.restart();
  while (!done && io.run_one_until(deadline) > 0) {
  }
  return done;
}

}  // namespace troupe::it
