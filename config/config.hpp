#pragma once
// troupe::config: every setting of the server with its built-in default. The defaults equal
// config/troupe.json, which is embedded in the library (a test keeps the two in step);
// docs/configuration.md has the table of settings, flags and environment variables.
// A plain value: load it once at startup (load_config.hpp) and pass it by const reference.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace troupe {

enum class log_format { text, json };

struct server_settings {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8080;
  unsigned threads = 0;     // io threads; 0 = one per hardware thread (effective_threads)
  bool batch_sends = true;  // one io_uring submission per pass of each io thread ("auto")
  std::string web_root = "web";
  std::string allowed_origins = "*";  // pages that may open a WebSocket or post (origin_policy)
  std::size_t max_connections = 19000;
  std::chrono::milliseconds handshake_timeout_ms{10000};  // HTTP request + WebSocket upgrade
  std::chrono::milliseconds idle_timeout_ms{60000};       // silent WebSocket closed; ping at half
  friend bool operator==(const server_settings&, const server_settings&) = default;
};

struct node_settings {
  std::string id;  // empty = host name + ":" + port (effective_node_id)
  friend bool operator==(const node_settings&, const node_settings&) = default;
};

struct log_settings {
  std::string level = "info";  // trace debug info warn error critical off
  log_format format = log_format::text;
  friend bool operator==(const log_settings&, const log_settings&) = default;
};

struct limit_settings {
  std::size_t max_message_bytes = 65536;  // largest WebSocket message accepted
  std::size_t max_text_bytes = 4096;      // largest room.say text
  std::size_t outbound_queue = 1024;      // frames queued per session before it is overloaded
  std::size_t outbound_bytes = 4194304;   // bytes of them queued before it is overloaded
  std::chrono::milliseconds ask_timeout_ms{5000};
  std::size_t max_rooms = 1000;         // rooms open, and rooms with stored messages
  std::size_t max_counters = 100000;    // counters open, and counters with a stored value
  std::size_t max_subscriptions = 100;  // rooms joined plus counters watched, per session
  friend bool operator==(const limit_settings&, const limit_settings&) = default;
};

struct actor_settings {
  std::size_t mailbox_capacity = 1024;
  friend bool operator==(const actor_settings&, const actor_settings&) = default;
};

struct room_settings {
  std::size_t history = 100;                 // messages kept per room
  std::chrono::milliseconds idle_ms{30000};  // an empty room passivates after this
  friend bool operator==(const room_settings&, const room_settings&) = default;
};

struct worker_settings {
  std::size_t echo = 0;  // echo workers; 0 = one per io thread (effective_echo_workers)
  friend bool operator==(const worker_settings&, const worker_settings&) = default;
};

struct shutdown_settings {
  std::chrono::milliseconds grace_ms{5000};  // wait this long for sessions to close, then force
  friend bool operator==(const shutdown_settings&, const shutdown_settings&) = default;
};

struct config {
  server_settings server;
  node_settings node;
  log_settings log;
  limit_settings limits;
  actor_settings actors;
  room_settings rooms;
  worker_settings workers;
  shutdown_settings shutdown;
  friend bool operator==(const config&, const config&) = default;
};

// The settings whose 0 or "" means "work it out":
unsigned effective_threads(const config& cfg);          // threads, or hardware threads (>= 1)
std::size_t effective_echo_workers(const config& cfg);  // workers.echo, or effective_threads
std::string effective_node_id(const config& cfg);       // node.id, or "<host name>:<port>"

}  // namespace troupe
