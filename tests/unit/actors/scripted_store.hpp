#pragma once
// scripted_store: a memory_store whose next counter save can be made to fail, as a broken store's
// would, or to wait until the test lets it go, to hold an actor inside its save.
#include "actors/store/memory_store.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

namespace troupe::test {

class scripted_store final : public state_store {
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
    inner_.save_counter(c, v);
  }
  std::int64_t load_counter(std::string_view c) override { return inner_.load_counter(c); }
  room_record load_room(std::string_view r) override { return inner_.load_room(r); }
  std::optional<room_record> find_room(std::string_view r) override { return inner_.find_room(r); }
  void append_message(std::string_view r, std::string_view epoch, stored_message m,
                      std::size_t keep) override {
    inner_.append_message(r, epoch, std::move(m), keep);
  }
  std::vector<room_listing> list_rooms() override { return inner_.list_rooms(); }
  std::uint64_t forgotten() const noexcept override { return inner_.forgotten(); }

 private:
  memory_store inner_{100, 100};
  std::mutex mu_;
  std::condition_variable changed_;
  next_save next_ = next_save::as_usual;
  bool held_ = false;
  bool released_ = false;
};

}  // namespace troupe::test
