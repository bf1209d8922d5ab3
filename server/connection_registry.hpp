#pragma once
// connection_registry: every open connection, so shutdown can close them all (WebSocket ones
// with 1001) and idle_sweep can find the silent ones. Thread-safety: all member functions lock
// an internal mutex.
#include "server/keepalive.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace troupe {

// A connection that can be asked, from any thread, to close because the server is stopping.
class closable {
 public:
  virtual ~closable() = default;
  virtual void close_for_shutdown() = 0;
  // At shutdown, for a connection that outlived the grace period (any thread): drop the TCP
  // connection now, so the connection ends while the server is still whole.
  virtual void abort() = 0;
  // From idle_sweep (any thread): the peer has been silent long enough for `v` (ping or close).
  virtual void keepalive(keepalive_verdict) {}
};

struct silent_connection {
  std::shared_ptr<closable> connection;
  std::uint32_t silent_ticks;
};

class connection_registry {
 public:
  // Registers `c`; 0 when the server is already closing (the caller closes it at once). A
  // connection with a `heard` stamp (alive until it is removed) takes part in keep-alive.
  std::uint64_t add(std::weak_ptr<closable> c, const heard_stamp* heard = nullptr) {
    std::lock_guard lock(mu_);
    if (closing_) return 0;
    auto id = ++next_;
    live_.emplace(id, entry{std::move(c), heard});
    return id;
  }
  void remove(std::uint64_t id) {
    std::lock_guard lock(mu_);
    live_.erase(id);
  }
  // From now on add() refuses; every registered connection is asked to close.
  void close_all() {
    for_each_live([](closable& c) { c.close_for_shutdown(); });
  }
  // Every connection still registered is dropped (after close_all, past the grace period).
  void abort_all() {
    for_each_live([](closable& c) { c.abort(); });
  }

  // The connections with a stamp not heard from for more than `min_silent` ticks at tick `now`.
  // (A stamp is read under the lock, which a connection's destructor takes to remove it.)
  std::vector<silent_connection> silent_since(std::uint32_t now, std::uint32_t min_silent) {
    std::vector<silent_connection> out;
    std::lock_guard lock(mu_);
    for (auto& [id, e] : live_) {
      if (!e.heard) continue;
      const std::uint32_t silent = now - e.heard->load(std::memory_order_relaxed);
      if (silent <= min_silent) continue;
      // Released by the caller, after the lock: a last owner's destructor calls remove().
      if (auto c = e.connection.lock()) out.push_back({std::move(c), silent});
    }
    return out;
  }

 private:
  // Calls `f` on every live connection outside the lock (a last owner's destructor takes it).
  template <class F>
  void for_each_live(F f) {
    std::vector<std::weak_ptr<closable>> live;
    {
      std::lock_guard lock(mu_);
      closing_ = true;
      live.reserve(live_.size());
      for (auto& [id, e] : live_) live.push_back(e.connection);
    }
    for (auto& weak : live)
      if (auto c = weak.lock()) f(*c);
  }

  struct entry {
    std::weak_ptr<closable> connection;
    const heard_stamp* heard;
  };
  std::mutex mu_;
  std::unordered_map<std::uint64_t, entry> live_;
  std::uint64_t next_ = 0;
  bool closing_ = false;
};

// Counts one open TCP connection for as long as it lives (moves from the HTTP session to the
// WebSocket session that takes over its socket).
class connection_slot {
 public:
  explicit connection_slot(std::atomic<std::int64_t>& open) : open_(&open) { open_->fetch_add(1); }
  connection_slot(connection_slot&& o) noexcept : open_(std::exchange(o.open_, nullptr)) {}
  connection_slot& operator=(connection_slot&&) = delete;
  ~connection_slot() {
    if (open_) open_->fetch_sub(1);
  }

 private:
  std::atomic<std::int64_t>* open_;
};

}  // namespace troupe
