#pragma once
// countdown: the main thread waits, with a deadline, until n arrivals have come from the io
// threads. arrive() is thread-safe; wait_until() is for one waiter.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace troupe::load {

class countdown {
 public:
  explicit countdown(std::size_t n) : remaining_(n) {}

  void arrive() {
    std::lock_guard lock(mu_);
    if (remaining_ > 0 && --remaining_ == 0) cv_.notify_all();
  }
  // True when every arrival came before the deadline.
  bool wait_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu_);
    return cv_.wait_until(lock, deadline, [&] { return remaining_ == 0; });
  }
  std::size_t remaining() const {
    std::lock_guard lock(mu_);
    return remaining_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::size_t remaining_;
};

}  // namespace troupe::load
