#pragma once
// scripted_store: an in-memory store whose next counter save can be made to fail, as a broken
// store's would, or to wait until the test lets it go, to hold an actor inside its save.
#include "tests/support/forwarding_store.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

namespace troupe::test {

class scripted_store final : public forwarding_store {
 public:
  enum class next_save { as_usual, fails, waits };

  void script(next_save what) {
    std::lock_guard lock(mu_);
    next_ = what;
    held_ = false;
    released_ = false;
  }
  // True once a save is waiting (within `limit`).
  bool wait_held(std::chrono::milliseconds limit) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, limit, [this] { return held_; });
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    changed_.notify_all();
  }

  void save_counter(std::string_view c, std::int64_t v) override {
    std::unique_lock lock(mu_);
    const auto what = std::exchange(next_, next_save::as_usual);
    if (what == next_save::fails) throw std::runtime_error("scripted_store: the save fails");
    if (what == next_save::waits) {
      held_ = true;
      changed_.notify_all();
      changed_.wait(lock, [this] { return released_; });
    }
    lock.unlock();
    forwarding_store::save_counter(c, v);
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  next_save next_ = next_save::as_usual;
  bool held_ = false;
  bool released_ = false;
};

}  // namespace troupe::test
