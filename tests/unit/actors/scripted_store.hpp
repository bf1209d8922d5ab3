#pragma once
// scripted_store: an in-memory store whose next counter save can be made to fail, as a broken
// store's would, or to wait until the test lets it go, to hold an actor inside its save; and
// whose next room append can be made to fail.
#include "tests/support/forwarding_store.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <utility>

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

  void fail_next_append() {
    std::lock_guard lock(mu_);
    append_fails_ = true;
  }

  // What a failing save or append answers.
  static boost::system::error_code failure() {
    return make_error_code(boost::system::errc::io_error);
  }

  boost::system::error_code save_counter(std::string_view c, std::int64_t v) override {
    std::unique_lock lock(mu_);
    const auto what = std::exchange(next_, next_save::as_usual);
    if (what == next_save::fails) return failure();
    if (what == next_save::waits) {
      held_ = true;
      changed_.notify_all();
      changed_.wait(lock, [this] { return released_; });
    }
    lock.unlock();
    return forwarding_store::save_counter(c, v);
  }

  boost::system::error_code append_message(std::string_view r, std::string_view epoch,
                                           stored_message m, std::size_t keep) override {
    {
      std::lock_guard lock(mu_);
      if (std::exchange(append_fails_, false)) return failure();
    }
    return forwarding_store::append_message(r, epoch, std::move(m), keep);
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  next_save next_ = next_save::as_usual;
  bool held_ = false;
  bool released_ = false;
  bool append_fails_ = false;
};

}  // namespace troupe::test
