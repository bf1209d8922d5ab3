#pragma once
// thread_stats: what the coroutines of one io thread observed. Written by that thread only;
// `received` is also read by the main thread while the run goes on (hence relaxed atomic).
// run_totals: the sum over all threads, built by the main thread once they are quiet.
#include "bench/load/histogram.hpp"

#include <boost/system/error_code.hpp>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace troupe::load {

struct thread_stats {
  histogram latency;                       // requests whose (intended) send time was measured
  std::uint64_t completed = 0;             // ... and how many of them completed
  std::uint64_t in_window = 0;             // completions read in the measured window (see below)
  std::atomic<std::uint64_t> received{0};  // every reply, delivery or cycle, measured or not
  std::uint64_t sent = 0;                  // every request or publish
  std::uint64_t expected_deliveries = 0;   // broadcast: publishes x room size
  std::uint64_t protocol_errors = 0;       // error replies and unexpected frames
  std::uint64_t connection_errors = 0;     // connections that failed to open or dropped
  std::uint64_t unanswered = 0;            // requests still in flight when their connection closed
  std::string first_error;

  // in_window: at a fixed offered rate, what the server achieved. `completed` counts by send
  // time, and so also a backlog the server clears after the window.

  void count_received() noexcept {
    received.store(received.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  void connection_failed(std::string_view what, boost::system::error_code ec);
  void connection_failed(std::string message);
  void protocol_error(std::string_view what, std::string_view frame);
};

struct run_totals {
  histogram latency;
  std::uint64_t completed = 0;
  std::uint64_t in_window = 0;
  std::uint64_t received = 0;
  std::uint64_t sent = 0;
  std::uint64_t expected_deliveries = 0;
  std::uint64_t protocol_errors = 0;
  std::uint64_t connection_errors = 0;
  std::uint64_t unanswered = 0;
  std::string first_error;
};

run_totals sum(const std::vector<thread_stats>& per_thread);
std::uint64_t received_so_far(const std::vector<thread_stats>& per_thread) noexcept;

}  // namespace troupe::load
