#pragma once
// outbox: a session's bounded queue of frames waiting for its socket's single writer.
//
// Any actor may push (rooms and counters push broadcasts straight here, without a hop through
// the session's mailbox). When a slow client lets it fill, the outbox closes itself and marks
// the session overloaded: the writer then closes the socket (1013) rather than drop frames.
// Full means `capacity` frames or `max_bytes` bytes of them, whichever comes first: replies such
// as room.joined carry a room's whole history, so a count of frames alone bounds no memory. A
// frame always fits an empty outbox, so one larger than max_bytes still goes out on its own.
// Thread-safety: push/close from any thread; take only from the socket writer.
#include "actors/frame.hpp"
#include "actors/runtime/mailbox.hpp"
#include "actors/runtime/spin_lock.hpp"

#include <atomic>
#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <vector>

namespace troupe {

class outbox {
 public:
  explicit outbox(std::size_t capacity,
                  std::size_t max_bytes = std::numeric_limits<std::size_t>::max())
      : queue_(capacity), max_bytes_(max_bytes) {}

  // False if the frame was not queued (the session is closing or just overflowed).
  bool push(frame f) {
    const auto size = f->wire().size();
    // The bytes are counted before the frame is queued, so that the push itself (which may wake
    // the writer: a post, perhaps a system call) happens outside this lock. A push that then
    // fails gives them back; until it does, others may see too many bytes, but only while the
    // outbox is closing or overflowing anyway.
    bool fits = false;
    {
      std::lock_guard lock(accounting_);
      fits = bytes_ == 0 || bytes_ + size <= max_bytes_;
      if (fits) bytes_ += size;
    }
    const auto r = fits ? queue_.try_push(f) : push_result::full;
    if (r == push_result::accepted) return true;
    if (fits) {
      std::lock_guard lock(accounting_);
      bytes_ -= size;
    }
    if (r == push_result::full) overflow();  // outside the lock: it runs the close callback
    return false;
  }
  // Appends what is queued to `batch` (the writer's); false if nothing was.
  bool take(std::vector<frame>& batch) {
    // Taken and counted off in one step: a push in between would see bytes no longer queued,
    // and close a connection that keeps up.
    std::lock_guard lock(accounting_);
    const auto first = batch.size();
    if (!queue_.take(batch)) return false;
    for (auto i = first; i < batch.size(); ++i) bytes_ -= batch[i]->wire().size();
    return true;
  }
  void close() {
    if (closing_.exchange(true, std::memory_order_acq_rel)) return;
    queue_.close();
    if (on_close_) on_close_();
  }
  // Called once, on the thread that closes the outbox (or overflows it): the writer may be
  // waiting for a full socket, not looking at the outbox. Set before the outbox is shared.
  void on_close(std::function<void()> f) { on_close_ = std::move(f); }
  bool overflowed() const noexcept { return overflowed_.load(std::memory_order_relaxed); }
  mailbox<frame>& queue() noexcept { return queue_; }

 private:
  void overflow() {
    overflowed_.store(true, std::memory_order_relaxed);
    close();
  }

  mailbox<frame> queue_;
  const std::size_t max_bytes_;
  spin_lock accounting_;
  std::size_t bytes_ = 0;  // of the frames queued; under accounting_
  std::atomic<bool> overflowed_{false};
  std::atomic<bool> closing_{false};
  std::function<void()> on_close_;
};

}  // namespace troupe
