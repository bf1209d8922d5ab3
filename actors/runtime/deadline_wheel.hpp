#pragma once
// deadline_wheel: the one timer behind every pending ask's deadline.
//
// A steady_timer per ask would take the reactor's lock twice per ask and often interrupt it to
// re-arm; instead pending asks link themselves into a hashed wheel of `tick`-wide buckets and
// one thread of the wheel's own expires them. Timeouts are therefore accurate to one tick
// (10 ms default). The tick does not run on the io_context: a timer there would start Asio's
// reactor, and an io_context with a reactor polls epoll between handlers (a system call on
// many message hops) even when no actor uses I/O.
// Thread-safety: every member function is safe from any thread; expire() runs on the wheel's
// thread.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace troupe {

// Something with a deadline: the wheel calls expire() once, with the wheel's lock held, unless
// it was removed first. The owner must remove() it before destroying it.
class pending_deadline {
 public:
  virtual void expire() = 0;

 protected:
  ~pending_deadline() = default;

 private:
  friend class deadline_wheel;
  pending_deadline* prev_ = nullptr;
  pending_deadline* next_ = nullptr;
  std::int64_t tick_ = 0;
  bool linked_ = false;
};

class deadline_wheel {
 public:
  using clock = std::chrono::steady_clock;

  explicit deadline_wheel(std::chrono::milliseconds tick = std::chrono::milliseconds(10),
                          std::size_t buckets = 1024);
  deadline_wheel(const deadline_wheel&) = delete;
  deadline_wheel& operator=(const deadline_wheel&) = delete;
  ~deadline_wheel();

  void start();  // starts the ticking thread
  void stop();   // ends and joins it; later add()s are refused. Idempotent.

  // Links `p`; false (and not linked) if the deadline has already passed.
  bool add(pending_deadline& p, clock::time_point deadline);
  void remove(pending_deadline& p);
  std::size_t pending() const;

 private:
  void run();      // the ticking thread
  void on_tick();  // with mu_ held
  std::int64_t tick_of(clock::time_point t) const;
  void unlink(pending_deadline& p);

  std::chrono::milliseconds tick_;
  clock::time_point epoch_;
  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  std::vector<pending_deadline*> buckets_;
  std::int64_t done_tick_ = 0;  // every bucket up to this tick has been expired
  std::size_t pending_ = 0;
  bool stopped_ = false;
  std::thread thread_;  // last: started after, joined before, everything above
};

}  // namespace troupe
