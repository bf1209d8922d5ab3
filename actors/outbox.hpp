#pragma once
// outbox: a session's bounded queue of frames waiting for its socket's single writer.
//
// Any actor may push (rooms and counters push broadcasts straight here, without a hop through
// the session's mailbox). When a slow client lets it fill, the outbox closes itself and marks
// the session overloaded: the writer then closes the socket (1013) rather than drop frames.
// Thread-safety: push/close from any thread; the queue's consumer is the socket writer.
#include "actors/frame.hpp"
#include "actors/runtime/mailbox.hpp"

#include <atomic>
#include <memory>

namespace troupe {

class outbox {
 public:
  explicit outbox(std::size_t capacity) : queue_(capacity) {}

  // False if the frame was not queued (the session is closing or just overflowed).
  bool push(frame f) {
    auto r = queue_.try_push(f);
    if (r == push_result::full) {
      overflowed_.store(true, std::memory_order_relaxed);
      queue_.close();
    }
    return r == push_result::accepted;
  }
  void close() { queue_.close(); }
  bool overflowed() const noexcept { return overflowed_.load(std::memory_order_relaxed); }
  mailbox<frame>& queue() noexcept { return queue_; }

 private:
  mailbox<frame> queue_;
  std::atomic<bool> overflowed_{false};
};

}  // namespace troupe
