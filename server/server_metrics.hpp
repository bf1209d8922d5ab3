#pragma once
// server_metrics: the server's own counters for /metrics. Plain atomics, updated from any io
// thread with relaxed ordering (they are statistics, not synchronisation).
#include "actors/session_actor.hpp"

#include <atomic>
#include <cstdint>
#include <string>

namespace troupe {

class actor_system;
class state_store;

// What send_batch has done, when sends are batched (send_batch.hpp).
struct send_batch_counts {
  std::atomic<bool> active{false};
  std::atomic<std::uint64_t> submissions{0};  // io_uring_enter calls
  std::atomic<std::uint64_t> sends{0};        // sends in them
};

struct server_metrics {
  std::atomic<std::int64_t> connections_current{0};  // open TCP connections (HTTP and WebSocket)
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::int64_t> websockets_current{0};
  std::atomic<std::uint64_t> websockets_total{0};
  std::atomic<std::uint64_t> connections_refused{0};      // turned away with 503 at the limit
  std::atomic<std::uint64_t> websockets_dropped_idle{0};  // silent for server.idle_timeout_ms
  std::atomic<std::uint64_t> frames_in{0};
  std::atomic<std::uint64_t> frames_out{0};
  std::atomic<std::uint64_t> http_requests{0};
  protocol_error_counts protocol_errors{};
  send_batch_counts batched;
};

// Prometheus text exposition format (version 0.0.4).
std::string render_prometheus(const server_metrics& m, actor_system& system,
                              const state_store& store);

}  // namespace troupe
