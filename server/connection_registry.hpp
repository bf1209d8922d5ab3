#pragma once
// connection_registry: every open connection, so shutdown can close them all (WebSocket ones
// with 1001). Thread-safety: all member functions lock an internal mutex.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace troupe {

// A connection that can be asked, from any thread, to close because the server is stopping.
class closable {
 public:
  virtual ~closable() = default;
  virtual void close_for_shutdown() = 0;
};

class connection_registry {
 public:
  // Registers `c`; 0 when the server is already closing (the caller closes it at once).
  std::uint64_t add(std::weak_ptr<closable> c) {
    std::lock_guard lock(mu_);
    if (closing_) return 0;
    auto id = ++next_;
    live_.emplace(id, std::move(c));
    return id;
  }
  void remove(std::uint64_t id) {
    std::lock_guard lock(mu_);
    live_.erase(id);
  }
  // From now on add() refuses; every registered connection is asked to close.
  void close_all() {
    std::unordered_map<std::uint64_t, std::weak_ptr<closable>> live;
    {
      std::lock_guard lock(mu_);
      closing_ = true;
      live = live_;
    }
    for (auto& [id, weak] : live)
      if (auto c = weak.lock()) c->close_for_shutdown();
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::uint64_t, std::weak_ptr<closable>> live_;
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
