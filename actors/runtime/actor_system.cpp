#include "actors/runtime/actor_system.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace troupe {
namespace {
// Which system, if any, owns the calling thread (for require_not_io_thread), and which of its
// io_contexts the thread runs (for pool_strategy::nearest).
thread_local const actor_system* this_thread_system = nullptr;
thread_local const boost::asio::io_context* this_thread_io = nullptr;
}  // namespace

const boost::asio::io_context* this_thread_io_context() noexcept {
  return this_thread_io;
}

namespace {
unsigned io_threads(const system_config& c) {
  return c.threads ? c.threads : std::max(1u, std::thread::hardware_concurrency());
}
}  // namespace

// Each io_context is run by one thread (concurrency hint 1): Asio then queues work posted from
// that thread without taking the scheduler's lock; work posted from other threads still takes
// it, so this stays correct.
actor_system::actor_system(system_config config) : config_(config) {
  const auto n = io_threads(config_);
  io_.reserve(n);
  work_.reserve(n);
  for (unsigned i = 0; i < n; ++i) {
    io_.push_back(std::make_unique<io_lane>());
    work_.push_back(boost::asio::make_work_guard(*io_.back()));
  }
  wheel_.start();
  threads_.reserve(n);
  for (unsigned i = 0; i < n; ++i) {
    threads_.emplace_back([this, &io = *io_[i]] {
      this_thread_system = this;
      this_thread_io = &io;
      io.run();
      std::lock_guard lock(mu_);
      ++threads_done_;
      all_stopped_.notify_all();
    });
  }
}

actor_system::~actor_system() {
  shutdown();
}

bool actor_system::on_io_thread() const noexcept {
  return this_thread_system == this;
}

std::vector<actor_info> actor_system::actors() const {
  std::vector<actor_info> out;
  std::lock_guard lock(mu_);
  out.reserve(live_.size());
  for (const auto& [id, core] : live_) out.push_back(core->info());
  return out;
}

std::size_t actor_system::live_count() const {
  std::lock_guard lock(mu_);
  return live_.size();
}

void actor_system::forget_name(const actor_core_base& core) {
  std::lock_guard lock(mu_);
  if (auto it = names_.find(core.name()); it != names_.end() && it->second.get() == &core) {
    names_.erase(it);
    --named_count_[core.type()];
  }
}

void actor_system::forget(const actor_core_base& core) {
  std::lock_guard lock(mu_);
  live_.erase(core.id());
  if (live_.empty()) all_stopped_.notify_all();
}

void actor_system::shutdown() {
  if (on_io_thread()) throw std::logic_error("actor_system::shutdown on one of its own io threads");
  std::vector<std::shared_ptr<actor_core_base>> cores;
  {
    std::lock_guard lock(mu_);
    if (joined_) return;
    shutting_down_ = true;
    for (auto& [id, core] : live_) cores.push_back(core);
  }
  for (auto& c : cores) c->stop_for_shutdown();
  cores.clear();
  {
    std::unique_lock lock(mu_);
    if (!all_stopped_.wait_for(lock, config_.shutdown_timeout, [this] { return live_.empty(); }))
      spdlog::warn("actor_system: {} actor(s) still running after {} ms; stopping the io threads",
                   live_.size(), config_.shutdown_timeout.count());
  }
  wheel_.stop();
  for (auto& w : work_) w.reset();
  // Let the io threads finish what is already queued (replies on their way to askers, the
  // actors' last completions) and return once their io_contexts run out of work: stop()
  // alone would drop those handlers and leave their askers waiting forever. The grace is
  // short because other users of the io_contexts (sockets, client coroutines) may keep them busy.
  {
    const auto grace = std::min(config_.shutdown_timeout, std::chrono::milliseconds(200));
    std::unique_lock lock(mu_);
    all_stopped_.wait_for(lock, grace, [this] { return threads_done_ == threads_.size(); });
  }
  // Whatever still runs (a handler stuck awaiting, a client coroutine) is cut off here; its
  // frames are destroyed, so nothing leaks. Every io_context's handlers go before any
  // io_context does: what they own may belong to another one's services.
  for (auto& io : io_) io->stop();
  for (auto& t : threads_) t.join();
  // Actors still registered (past their grace) go first: an ask left in a mailbox fails as it
  // goes, posting to its asker's io_context, and what it posts must go in the passes below, not
  // when the io_context is destroyed (with this system, after what the handlers refer to).
  decltype(live_) live;
  decltype(names_) names;
  {
    std::lock_guard lock(mu_);
    live.swap(live_);
    names.swap(names_);
    named_count_.clear();
  }
  names.clear();
  live.clear();
  // Twice: a handler destroyed by one io_context's shutdown may post to one already shut down,
  // and what it posts must go too before that io_context is destroyed.
  for (int pass = 0; pass < 2; ++pass)
    for (auto& io : io_) io->shutdown();
  std::lock_guard lock(mu_);
  joined_ = true;
}

}  // namespace troupe
