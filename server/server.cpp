#include "server/server.hpp"

#include "actors/store/memory_store.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <stdexcept>
#include <thread>
#include <variant>

namespace troupe {
namespace {

domain_env make_env(const config& cfg, state_store& store) {
  domain_env env;
  env.store = &store;
  env.node_id = effective_node_id(cfg);
  env.room_history = cfg.rooms.history;
  env.idle_timeout = cfg.rooms.idle_ms;
  env.max_text_bytes = cfg.limits.max_text_bytes;
  env.max_rooms = cfg.limits.max_rooms;
  env.max_counters = cfg.limits.max_counters;
  env.max_subscriptions = cfg.limits.max_subscriptions;
  return env;
}

system_config make_system_config(const config& cfg) {
  system_config sc;
  sc.threads = effective_threads(cfg);
  sc.mailbox_capacity = cfg.actors.mailbox_capacity;
  sc.ask_timeout = cfg.limits.ask_timeout_ms;
  sc.shutdown_timeout = cfg.shutdown.grace_ms;
  return sc;
}

server_options make_options(const config& cfg) {
  server_options o;
  o.node_id = effective_node_id(cfg);
  o.version = TROUPE_VERSION;
  o.max_connections = cfg.server.max_connections;
  o.max_message_bytes = cfg.limits.max_message_bytes;
  o.max_text_bytes = cfg.limits.max_text_bytes;
  o.outbound_queue = cfg.limits.outbound_queue;
  o.outbound_bytes = cfg.limits.outbound_bytes;
  // A session's requests wait in its mailbox, each up to max_message_bytes: as many as fit in
  // outbound_bytes, so the requests waiting hold no more memory than the replies may.
  o.session_mailbox = std::clamp<std::size_t>(o.outbound_bytes / o.max_message_bytes, 1, 256);
  o.handshake_timeout = cfg.server.handshake_timeout_ms;
  o.idle_timeout = cfg.server.idle_timeout_ms;
  auto origins = origin_policy::parse(cfg.server.allowed_origins);
  if (const auto* problem = std::get_if<std::string>(&origins))  // load_config checked it
    throw std::invalid_argument("server.allowed_origins: " + *problem);
  o.origins = std::get<origin_policy>(std::move(origins));
  return o;
}

}  // namespace

server::server(const config& cfg)
    : server(cfg, std::make_unique<memory_store>(cfg.limits.max_rooms, cfg.limits.max_counters)) {}

server::server(const config& cfg, std::unique_ptr<state_store> store)
    : cfg_(cfg),
      store_(std::move(store)),
      env_(make_env(cfg, *store_)),
      system_(make_system_config(cfg)),
      dir_(system_, env_),
      services_{
          dir_,
          system_.spawn_pool<echo_worker>(effective_echo_workers(cfg), pool_strategy::nearest),
          metrics_.protocol_errors},
      files_(cfg.server.web_root),
      ctx_{make_options(cfg), system_, dir_, services_, metrics_, files_, connections_, keepalive_},
      sweep_(system_.io_context(), keepalive_schedule::for_timeout(cfg.server.idle_timeout_ms),
             keepalive_, connections_) {
  start_send_batches();
  boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address(cfg.server.host),
                                          cfg.server.port);
  listener_ = std::make_unique<listener>(ctx_, endpoint);
  listener_->start();
  sweep_.start();
  spdlog::info("troupe {} node {} listening on {}:{} with {} io thread(s)", TROUPE_VERSION,
               ctx_.settings.node_id, cfg.server.host, listener_->port(), system_.thread_count());
}

// One batch per io thread, each with an io_uring of its own; all or none.
void server::start_send_batches() {
  if (!cfg_.server.batch_sends) return;
  for (unsigned i = 0; i < system_.thread_count(); ++i) {
    const auto executor = system_.io_context(i).get_executor();
    std::string why_not;
    auto batch = send_batch::create(executor, metrics_.batched, why_not);
    if (!batch) {
      batches_.clear();
      spdlog::info("sends are not batched: io_uring is not available ({})", why_not);
      return;
    }
    batches_.add(executor, std::move(batch));
  }
  ctx_.batches = &batches_;
  spdlog::debug("sends are batched through io_uring, one ring per io thread");
}

server::~server() {
  stop();
}

void server::stop() {
  if (stopped_) return;
  stopped_ = true;
  spdlog::info("shutting down: closing {} connection(s)", metrics_.connections_current.load());
  listener_->stop();
  sweep_.stop();
  connections_.close_all();
  const auto deadline = std::chrono::steady_clock::now() + cfg_.shutdown.grace_ms;
  while (metrics_.connections_current.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (auto left = metrics_.connections_current.load(); left > 0) {
    spdlog::warn("{} connection(s) still open after {} ms; dropping them", left,
                 cfg_.shutdown.grace_ms.count());
    // Dropped now, they end while the server is whole: left to the io_context's destructor,
    // they would outlive the registry and the metrics they update as they go.
    connections_.abort_all();
    const auto dropped_by = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (metrics_.connections_current.load() > 0 && std::chrono::steady_clock::now() < dropped_by)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (auto stuck = metrics_.connections_current.load(); stuck > 0)
      spdlog::error("{} connection(s) did not end when dropped", stuck);
  }
  system_.shutdown();
  // Writers still waiting in a batch hold sockets, which must go while the io_contexts live.
  ctx_.batches = nullptr;
  batches_.clear();
  listener_.reset();
  spdlog::info("stopped");
}

}  // namespace troupe
