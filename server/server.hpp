#pragma once
// server: one troupe node — the actor system, the store, the directory of counters and rooms,
// the echo pool, and the listener in front of them. Constructing it binds the port (a failure
// throws, for main's exit code); stop() shuts down gracefully. The store is the in-memory one
// unless one is given (a durable one later; a failing one in tests).
// Thread-safety: construct, stop and destroy from one (non-io) thread.
#include "actors/directory.hpp"
#include "actors/domain_env.hpp"
#include "actors/store/state_store.hpp"
#include "config/config.hpp"
#include "server/connection_registry.hpp"
#include "server/idle_sweep.hpp"
#include "server/keepalive.hpp"
#include "server/listener.hpp"
#include "server/send_batch.hpp"
#include "server/server_context.hpp"
#include "server/server_metrics.hpp"
#include "server/static_files.hpp"

#include <memory>

namespace troupe {

class server {
 public:
  explicit server(const config& cfg);
  server(const config& cfg, std::unique_ptr<state_store> store);
  ~server();

  std::uint16_t port() const noexcept { return listener_->port(); }
  actor_system& system() noexcept { return system_; }

  // Stops accepting, closes every WebSocket with 1001, waits up to shutdown.grace_ms for the
  // connections to drain, then stops every actor and joins the io threads. Idempotent.
  void stop();

 private:
  void start_send_batches();

  const config& cfg_;
  std::unique_ptr<state_store> store_;
  domain_env env_;
  server_metrics metrics_;
  send_batches batches_;  // used by the io threads' handlers; cleared by stop()
  actor_system system_;
  directory dir_;
  session_services services_;
  static_files files_;
  connection_registry connections_;
  keepalive_clock keepalive_;
  server_context ctx_;
  idle_sweep sweep_;
  std::unique_ptr<listener> listener_;
  bool stopped_ = false;
};

}  // namespace troupe
