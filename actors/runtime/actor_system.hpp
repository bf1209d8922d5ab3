#pragma once
// actor_system: owns the io threads every actor runs on, spawns actors, names them, lists them,
// and shuts them all down. Pass it by reference; there is no global instance.
//
// Each io thread runs an io_context of its own, and every actor (and every connection, in the
// server) is placed on one of them for its whole life: what runs on one io_context never runs
// on two threads at once, so it needs no strand, and a thread can gather its connections' sends
// into one system call (server/send_batch.hpp). The price is that a busy actor's thread cannot
// hand its other work to an idle one.
//
// Thread-safety: every member function is safe from any thread, except that shutdown() and the
// destructor must not run on one of the system's own io threads.
#include "actors/runtime/actor_core.hpp"
#include "actors/runtime/actor_ref.hpp"
#include "actors/runtime/deadline_wheel.hpp"
#include "actors/runtime/latency_histogram.hpp"
#include "actors/runtime/pool_ref.hpp"
#include "actors/runtime/spawn_options.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <typeindex>
#include <unordered_map>
#include <vector>

namespace troupe {

// The kind shown in introspection: A::kind if the actor names itself, else its C++ type.
template <class A>
std::string actor_kind() {
  if constexpr (requires { A::kind; })
    return std::string(A::kind);
  else
    return typeid(A).name();
}

class actor_system {
 public:
  explicit actor_system(system_config config = {});
  actor_system(const actor_system&) = delete;
  actor_system& operator=(const actor_system&) = delete;
  ~actor_system();

  template <class A, class... Args>
  actor_ref<A> spawn(Args&&... args) {
    return spawn_with<A>(spawn_options{}, std::forward<Args>(args)...);
  }

  template <class A, class... Args>
  actor_ref<A> spawn_with(spawn_options options, Args&&... args) {
    std::unique_lock lock(mu_);
    if (!options.name.empty() && names_.contains(options.name))
      throw std::logic_error("actor name already taken: " + options.name);
    return spawn_locked<A>(lock, std::move(options), std::forward<Args>(args)...);
  }

  // The live actor named `name`, or a new one spawned with `args` — atomically, so racing
  // callers all get the same actor. Throws std::logic_error if the name belongs to another type.
  template <class A, class... Args>
  actor_ref<A> get_or_spawn(std::string_view name, Args&&... args) {
    std::unique_lock lock(mu_);
    if (auto it = names_.find(std::string(name)); it != names_.end()) return typed<A>(it->second);
    spawn_options options;
    options.name = std::string(name);
    return spawn_locked<A>(lock, std::move(options), std::forward<Args>(args)...);
  }

  // As get_or_spawn, but spawns only while fewer than `limit` named actors of type A are live;
  // otherwise returns nothing. Bounds what clients can make the server create by naming it.
  template <class A, class... Args>
  std::optional<actor_ref<A>> get_or_spawn_within(std::size_t limit, std::string_view name,
                                                  Args&&... args) {
    std::unique_lock lock(mu_);
    if (auto it = names_.find(std::string(name)); it != names_.end()) return typed<A>(it->second);
    // (While shutting down, spawn_locked refuses whatever the count: the asker learns `stopped`.)
    if (auto n = named_count_.find(typeid(A));
        !shutting_down_ && n != named_count_.end() && n->second >= limit)
      return std::nullopt;
    spawn_options options;
    options.name = std::string(name);
    return spawn_locked<A>(lock, std::move(options), std::forward<Args>(args)...);
  }

  template <class A>
  std::optional<actor_ref<A>> find(std::string_view name) const {
    std::lock_guard lock(mu_);
    if (auto it = names_.find(std::string(name)); it != names_.end()) return typed<A>(it->second);
    return std::nullopt;
  }

  // The names of the live named actors of type A, in no particular order.
  template <class A>
  std::vector<std::string> names_of() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [name, core] : names_)
      if (core->type() == std::type_index(typeid(A))) out.push_back(name);
    return out;
  }

  // n workers, each constructed from `args` (and its index, if W takes one last). Worker i runs
  // on io thread i mod thread_count(), so the workers spread evenly over the threads.
  template <class W, class... Args>
  pool_ref<W> spawn_pool(std::size_t n, pool_strategy strategy, Args&&... args) {
    std::vector<actor_ref<W>> workers;
    workers.reserve(n == 0 ? 1 : n);
    for (std::size_t i = 0; i < (n == 0 ? 1 : n); ++i) {
      spawn_options options;
      options.io = io_[i % io_.size()].get();
      if constexpr (std::is_constructible_v<W, const std::decay_t<Args>&..., std::size_t>)
        workers.push_back(spawn_with<W>(options, args..., i));  // the worker learns its index
      else
        workers.push_back(spawn_with<W>(options, args...));
    }
    return pool_ref<W>(std::move(workers), strategy);
  }

  // A snapshot of every live actor; cheap (one lock, a few atomic loads per actor).
  std::vector<actor_info> actors() const;
  std::size_t live_count() const;

  // Stops every actor (each finishes what is queued), waits up to config().shutdown_timeout,
  // then stops the io threads and joins them. Idempotent.
  void shutdown();
  bool shutting_down() const noexcept { return shutting_down_.load(); }

  // The first io thread's io_context (the one outside callers and the server's own timers use).
  boost::asio::io_context& io_context() noexcept { return *io_.front(); }
  boost::asio::io_context& io_context(std::size_t i) noexcept { return *io_[i]; }
  boost::asio::io_context::executor_type get_executor() noexcept {
    return io_context().get_executor();
  }
  // The io_contexts in turn: where the next actor spawned without a place goes.
  boost::asio::io_context& next_io_context() noexcept {
    return *io_[next_io_.fetch_add(1, std::memory_order_relaxed) % io_.size()];
  }
  const system_config& config() const noexcept { return config_; }
  unsigned thread_count() const noexcept { return static_cast<unsigned>(threads_.size()); }
  deadline_wheel& deadlines() noexcept { return wheel_; }
  latency_histogram& ask_latency() noexcept { return ask_latency_; }
  bool on_io_thread() const noexcept;

 private:
  friend class actor_core_base;

  template <class A>
  static actor_ref<A> typed(const std::shared_ptr<actor_core_base>& core) {
    if (core->type() != std::type_index(typeid(A)))
      throw std::logic_error("actor '" + core->name() + "' is a " + core->kind() + ", not a " +
                             actor_kind<A>());
    return actor_ref<A>(std::static_pointer_cast<actor_core<A>>(core));
  }

  template <class A, class... Args>
  actor_ref<A> spawn_locked(std::unique_lock<std::mutex>& lock, spawn_options options,
                            Args&&... args) {
    auto make = [tuple = std::make_tuple(std::decay_t<Args>(std::forward<Args>(args))...)](
                    std::optional<A>& s) {
      std::apply([&s](const auto&... a) { s.emplace(a...); }, tuple);
    };
    auto& io = options.io ? *options.io : next_io_context();
    auto core = std::make_shared<actor_core<A>>(
        *this, io, next_id_++, options.name, actor_kind<A>(),
        options.restart.value_or(config_.restart),
        options.mailbox_capacity ? options.mailbox_capacity : config_.mailbox_capacity,
        std::move(make));
    if (shutting_down_) {
      lock.unlock();  // refuse_start() reports the end to the system, which takes mu_
      core->refuse_start();
      return actor_ref<A>(std::move(core));
    }
    live_.emplace(core->id(), core);
    if (!options.name.empty()) {
      names_.emplace(options.name, core);
      ++named_count_[core->type()];
    }
    core->start();
    return actor_ref<A>(std::move(core));
  }

  void forget_name(const actor_core_base& core);
  void forget(const actor_core_base& core);

  // An io_context whose services can be shut down before any io_context is destroyed: a handler
  // destroyed at shutdown may own an object of another io_context's (a socket, a timer).
  class io_lane : public boost::asio::io_context {
   public:
    io_lane() : boost::asio::io_context(1) {}
    using boost::asio::io_context::shutdown;
  };
  using work_guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

  system_config config_;
  std::vector<std::unique_ptr<io_lane>> io_;  // one per io thread, in the threads' order
  std::atomic<std::size_t> next_io_{0};
  deadline_wheel wheel_;
  latency_histogram ask_latency_;
  std::vector<work_guard> work_;
  std::vector<std::thread> threads_;

  mutable std::mutex mu_;
  std::condition_variable all_stopped_;
  std::unordered_map<std::uint64_t, std::shared_ptr<actor_core_base>> live_;
  std::unordered_map<std::string, std::shared_ptr<actor_core_base>> names_;
  std::unordered_map<std::type_index, std::size_t> named_count_;  // names_ by actor type
  std::uint64_t next_id_ = 1;
  std::atomic<bool> shutting_down_{false};
  bool joined_ = false;
  std::size_t threads_done_ = 0;  // io threads whose run() has returned (under mu_)
};

}  // namespace troupe
