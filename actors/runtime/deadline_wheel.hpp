#pragma once
// deadline_wheel: the one timer behind every pending ask's deadline.
//
// A steady_timer per ask would take the reactor's lock twice per ask and often interrupt it to
// re-arm; instead pending asks link themselves into a hashed wheel of `tick`-wide buckets and
// one periodic timer expires them. Timeouts are therefore accurate to one tick (10 ms default).
// Thread-safety: every member function is safe from any thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
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

  explicit deadline_wheel(boost::asio::io_context& io,
                          std::chrono::milliseconds tick = std::chrono::milliseconds(10),
                          std::size_t buckets = 1024);
  deadline_wheel(const deadline_wheel&) = delete;
  deadline_wheel& operator=(const deadline_wheel&) = delete;

  void start();
  void stop();  // the timer ends within one tick

  // Links `p`; false (and not linked) if the deadline has already passed.
  bool add(pending_deadline& p, clock::time_point deadline);
  void remove(pending_deadline& p);
  std::size_t pending() const;

 private:
  void arm();
  void on_tick();
  std::int64_t tick_of(clock::time_point t) const;
  void unlink(pending_deadline& p);

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds tick_;
  clock::time_point epoch_;
  mutable std::mutex mu_;
  std::vector<pending_deadline*> buckets_;
  std::int64_t done_tick_ = 0;  // every bucket up to this tick has been expired
  std::size_t pending_ = 0;
  std::atomic<bool> stopped_{false};
};

}  // namespace troupe
