#pragma once
// actor_core_base: what every actor has whatever its type — identity, counters, the ask being
// handled, termination and its watchers. actor_core<A> adds the typed mailbox and state.
//
// Thread-safety: identity and counters are readable from any thread; add_watcher, async_join
// and terminate synchronise on an internal mutex; current_ask() belongs to the actor's own
// coroutine.
#include "actors/runtime/spawn_options.hpp"
#include "actors/runtime/supervision.hpp"

#include "actors/runtime/stored_handler.hpp"
#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <typeindex>
#include <vector>

namespace troupe {

class actor_system;
class deadline_wheel;
class latency_histogram;

// Names a timer an actor scheduled (actor_context::send_after/send_every).
using timer_id = std::uint64_t;

// The actors blocked, one inside the other, on the ask being handled; immutable and shared.
struct ask_chain {
  std::uint64_t waiting_actor = 0;
  std::shared_ptr<const ask_chain> parent;
};

// Travels with an ask: its absolute deadline and who waits on it.
struct ask_frame {
  std::chrono::steady_clock::time_point deadline{};
  std::shared_ptr<const ask_chain> chain;

  bool waits_on(std::uint64_t actor) const noexcept {
    for (auto* c = chain.get(); c; c = c->parent.get())
      if (c->waiting_actor == actor) return true;
    return false;
  }
};

// A snapshot for introspection (`/metrics`, observers).
struct actor_info {
  std::uint64_t id = 0;
  std::string name;
  std::string kind;
  std::size_t mailbox_depth = 0;
  std::size_t mailbox_capacity = 0;
  std::uint64_t handled = 0;
  std::uint64_t restarts = 0;
};

class actor_core_base : public std::enable_shared_from_this<actor_core_base> {
 public:
  using watcher = std::function<void(const actor_terminated&)>;

  actor_core_base(actor_system& system, std::uint64_t id, std::string name, std::string kind,
                  std::type_index type, restart_policy policy);
  actor_core_base(const actor_core_base&) = delete;
  actor_core_base& operator=(const actor_core_base&) = delete;
  virtual ~actor_core_base();

  std::uint64_t id() const noexcept { return id_; }
  const std::string& name() const noexcept { return name_; }
  const std::string& kind() const noexcept { return kind_; }
  std::type_index type() const noexcept { return type_; }
  actor_system& system() const noexcept { return system_; }

  // Finish what is queued, then stop. Safe from any thread, idempotent.
  virtual void stop() = 0;
  // stop(), with exit_reason::shutdown as the reason watchers see.
  void stop_for_shutdown() {
    shutdown_.store(true, std::memory_order_relaxed);
    stop();
  }
  virtual std::size_t depth() const noexcept = 0;
  virtual std::size_t capacity() const noexcept = 0;
  actor_info info() const;

  // The ask the actor is handling right now, or null (own coroutine only).
  const ask_frame* current_ask() const noexcept { return current_ask_; }

  // Runs `w` once the actor terminates (at once if it already has).
  void add_watcher(watcher w);

  template <class Token>
  auto async_join(Token&& token) {
    return boost::asio::async_initiate<Token, void(exit_reason)>(
        [this](auto handler) {
          std::unique_lock lock(term_mu_);
          if (reason_) {
            auto r = *reason_;
            lock.unlock();
            boost::asio::post(boost::asio::append(std::move(handler), r));
            return;
          }
          joiners_.emplace_back(std::move(handler));
        },
        token);
  }
  std::optional<exit_reason> exit() const;

  // System services the typed core needs (kept out of templates so actor_system stays opaque).
  deadline_wheel& deadlines() const noexcept;
  latency_histogram& ask_latency() const noexcept;
  std::chrono::milliseconds default_ask_timeout() const noexcept;
  bool on_io_thread() const noexcept;

 protected:
  // Called once the mailbox is closed: frees the registered name so get_or_spawn makes anew.
  void on_closed();
  // Called once, last: watchers and joiners are told, the system forgets the actor.
  void terminate(exit_reason r);
  // Counts a restart; false if the policy's budget within its window is spent.
  bool may_restart(std::chrono::steady_clock::time_point now);
  void log_failure(std::exception_ptr e, const char* where) const;
  void log_dropped(std::size_t n) const;
  bool stopped_for_shutdown() const noexcept { return shutdown_.load(std::memory_order_relaxed); }

  std::atomic<std::uint64_t> handled_{0};
  std::atomic<std::uint64_t> restarts_{0};
  const ask_frame* current_ask_ = nullptr;
  restart_policy policy_;

 private:
  actor_system& system_;
  std::uint64_t id_;
  std::string name_;
  std::string kind_;
  std::type_index type_;
  std::atomic<bool> shutdown_{false};
  std::vector<std::chrono::steady_clock::time_point> restart_times_;  // own coroutine only

  mutable std::mutex term_mu_;
  std::optional<exit_reason> reason_;
  std::vector<watcher> watchers_;
  std::vector<stored_handler<exit_reason>> joiners_;
};

}  // namespace troupe
