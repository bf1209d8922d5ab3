#pragma once
// server_context: what every connection needs to reach — settings, the actor system, the
// directory of counters and rooms, the echo pool, metrics, static files, the registry of open
// connections and the keep-alive clock. Owned by `server`, which outlives every connection; the
// referenced objects are thread-safe, the plain fields are read-only after startup.
#include "actors/directory.hpp"
#include "actors/session_actor.hpp"
#include "config/origin_policy.hpp"
#include "server/connection_registry.hpp"
#include "server/keepalive.hpp"
#include "server/server_metrics.hpp"
#include "server/static_files.hpp"

#include <chrono>
#include <cstddef>
#include <string>

namespace troupe {

class send_batches;

// What connections need to know, derived once from the config at startup.
struct server_options {
  std::string node_id;
  std::string version;
  std::size_t max_connections = 19000;
  std::size_t max_message_bytes = 65536;
  std::size_t max_text_bytes = 4096;
  std::size_t outbound_queue = 1024;
  std::size_t outbound_bytes = 4194304;
  std::size_t session_mailbox = 256;
  std::size_t max_http_body = 1 << 20;
  std::chrono::milliseconds handshake_timeout{10000};
  std::chrono::milliseconds idle_timeout{60000};
  origin_policy origins;  // who may open a WebSocket
};

struct server_context {
  server_options settings;
  actor_system& system;
  directory& dir;
  session_services& services;
  server_metrics& metrics;
  static_files& files;
  connection_registry& connections;
  keepalive_clock& keepalive;  // stamped by WebSocket connections when they hear their peer
  const send_batches* batches = nullptr;  // each io thread's batched sends, when they are batched
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

}  // namespace troupe
