#include "bench/load/stats.hpp"

namespace troupe::load {

void thread_stats::connection_failed(std::string_view what, boost::system::error_code ec) {
  connection_failed(std::string(what) + ": " + ec.message());
}

void thread_stats::connection_failed(std::string message) {
  ++connection_errors;
  if (first_error.empty()) first_error = std::move(message);
}

void thread_stats::protocol_error(std::string_view what, std::string_view frame) {
  ++protocol_errors;
  if (first_error.empty()) {
    first_error = std::string(what) + ": " + std::string(frame.substr(0, 200));
  }
}

run_totals sum(const std::vector<thread_stats>& per_thread) {
  run_totals t;
  for (const auto& s : per_thread) {
    t.latency.merge(s.latency);
    t.completed += s.completed;
    t.in_window += s.in_window;
    t.received += s.received.load(std::memory_order_relaxed);
    t.sent += s.sent;
    t.expected_deliveries += s.expected_deliveries;
    t.protocol_errors += s.protocol_errors;
    t.connection_errors += s.connection_errors;
    t.unanswered += s.unanswered;
    if (t.first_error.empty()) t.first_error = s.first_error;
  }
  return t;
}

std::uint64_t received_so_far(const std::vector<thread_stats>& per_thread) noexcept {
  std::uint64_t n = 0;
  for (const auto& s : per_thread) n += s.received.load(std::memory_order_relaxed);
  return n;
}

}  // namespace troupe::load
