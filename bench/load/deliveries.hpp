#pragma once
// Room members' side of a broadcast run: the reader every member runs, and the bookkeeping that
// closes the loop from members back to publishers.
//
// delivery_tracker (closed loop): for each publisher, `window` slots count how many members got
// message seq (slot seq % window). The member whose receipt completes a message resets the slot
// and tells the publisher through the publisher's concurrent_channel, whose completion runs on
// the publisher's io thread. delivered() and close() are thread-safe.
#include "bench/load/connection.hpp"
#include "bench/load/run_plan.hpp"
#include "bench/load/stats.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace troupe::load {

class delivery_tracker {
 public:
  using channel =
      boost::asio::experimental::concurrent_channel<void(boost::system::error_code, std::uint64_t)>;

  explicit delivery_tracker(unsigned window) : window_(window) {}

  // Main thread, before any delivery: publisher number = order of addition.
  void add_publisher(const boost::asio::any_io_executor& ex, std::uint32_t room_size);
  // Any io thread.
  void delivered(const stamp& s) noexcept;
  // The publisher's own io thread: completions of its messages (by seq).
  channel& completions(std::uint32_t publisher) noexcept { return *publishers_[publisher].done; }
  // Any thread: fails every pending and future receive, so waiting publishers return.
  void close() noexcept;
  unsigned window() const noexcept { return window_; }

 private:
  struct publisher {
    std::uint32_t room_size = 0;
    std::unique_ptr<std::atomic<std::uint32_t>[]> counts;
    std::unique_ptr<channel> done;
  };
  unsigned window_;
  std::vector<publisher> publishers_;
};

// What every member's reader shares. `plan` is written by the main thread before it sets
// `started` (release); readers look at it only after seeing `started` (acquire).
struct delivery_context {
  target_kind target = target_kind::troupe;
  std::uint32_t publishers = 0;  // stamps name publishers 0..publishers-1
  run_plan plan;
  std::atomic<bool> started{false};
  delivery_tracker* tracker = nullptr;  // closed-loop broadcast only
};

// A member's reader, on its connection's io thread: counts and times room messages, ignores
// presence events and acknowledgements, counts error frames, and treats any read failure that
// is not our own close as a dropped connection. Each publisher's messages must reach a member
// in the order sent and at most once: a repeat would inflate the rate and hide a loss.
boost::asio::awaitable<void> read_deliveries(std::shared_ptr<connection> c, delivery_context& run,
                                             thread_stats& stats);

}  // namespace troupe::load
