#pragma once
// fleet: the long-lived connections of one run, opened and closed from the main thread.
//
// Each connection lives on io thread (index % threads). open_all() opens them a few lanes at a
// time per thread, runs a setup step on each (joining a room, say) and then, optionally, starts
// a follow-up coroutine that keeps running on it (a reader). The main thread waits with a
// deadline. Destroying the fleet halts the io_pool first, so no coroutine outlives the fleet
// or the stats it writes to (declare the stats before the fleet).
#include "bench/load/connection.hpp"
#include "bench/load/countdown.hpp"
#include "bench/load/io_pool.hpp"
#include "bench/load/run_plan.hpp"
#include "bench/load/stats.hpp"

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace troupe::load {

// Runs `work` on `ctx`; when it ends, `done` gets an arrival. An exception escaping `work` is
// counted as a connection error in `stats` (and reported once, at the end of the run).
// `done` is shared because a main thread that gave up waiting may drop its copy.
void spawn_tracked(boost::asio::io_context& ctx, boost::asio::awaitable<void> work,
                   thread_stats& stats, std::shared_ptr<countdown> done);

class fleet {
 public:
  // Both run on the connection's io thread. Coroutines: take what they keep by value.
  using setup_fn =
      std::function<boost::asio::awaitable<boost::system::error_code>(connection&, std::size_t)>;
  using follow_fn =
      std::function<boost::asio::awaitable<void>(std::shared_ptr<connection>, std::size_t)>;

  fleet(io_pool& pool, std::vector<thread_stats>& stats, dial_plan plan, std::size_t count);
  fleet(const fleet&) = delete;
  fleet& operator=(const fleet&) = delete;
  ~fleet();

  // Opens every connection, `lanes` at once in total. Stops opening new ones after a failure.
  // False when one failed (its error is in the stats) or `deadline` passed first.
  bool open_all(unsigned lanes, setup_fn setup, follow_fn follow, clock::time_point deadline);

  // Runs `work` on connection i's io thread; `done` gets an arrival when it ends.
  void spawn(std::size_t i, boost::asio::awaitable<void> work, std::shared_ptr<countdown> done);

  // Closes every open connection (closing handshake within `per_connection`) and waits for the
  // closes and for the follow-up coroutines. False if `deadline` passed first.
  bool close_all(std::chrono::nanoseconds per_connection, clock::time_point deadline);

  std::size_t size() const noexcept { return conns_.size(); }
  const std::shared_ptr<connection>& at(std::size_t i) const noexcept { return conns_[i]; }
  const dial_plan& plan() const noexcept { return plan_; }

 private:
  boost::asio::awaitable<void> lane(std::size_t thread, std::size_t first, std::size_t step);

  io_pool& pool_;
  std::vector<thread_stats>& stats_;
  dial_plan plan_;
  setup_fn setup_;
  follow_fn follow_;
  std::vector<std::shared_ptr<connection>> conns_;  // slot i written once, by its lane
  std::shared_ptr<countdown> opened_;               // one arrival per connection
  std::shared_ptr<countdown> followers_;            // one arrival per connection
  std::atomic<bool> failed_{false};
};

}  // namespace troupe::load
