#include "bench/load/fleet.hpp"

#include <boost/asio/co_spawn.hpp>

#include <algorithm>
#include <exception>

namespace troupe::load {
namespace asio = boost::asio;
using boost::system::error_code;

namespace {

asio::awaitable<void> close_one(std::shared_ptr<connection> c, std::chrono::nanoseconds timeout) {
  if (c->open) (void)co_await close_connection(*c, timeout);
}

}  // namespace

void spawn_tracked(asio::io_context& ctx, asio::awaitable<void> work, thread_stats& stats,
                   std::shared_ptr<countdown> done) {
  asio::co_spawn(ctx, std::move(work), [&stats, done = std::move(done)](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        stats.connection_failed(std::string("coroutine threw: ") + x.what());
      }
    }
    done->arrive();
  });
}

fleet::fleet(io_pool& pool, std::vector<thread_stats>& stats, dial_plan plan, std::size_t count)
    : pool_(pool),
      stats_(stats),
      plan_(std::move(plan)),
      conns_(count),
      opened_(std::make_shared<countdown>(count)),
      followers_(std::make_shared<countdown>(count)) {}

fleet::~fleet() {
  pool_.halt();
  // A reader parked on a connection is owned by it (and owns it): break the cycle.
  for (const auto& c : conns_) {
    if (c) c->abandon_reader();
  }
}

asio::awaitable<void> fleet::lane(std::size_t thread, std::size_t first, std::size_t step) {
  auto& ctx = pool_.context(thread);
  for (std::size_t i = first; i < conns_.size(); i += step) {
    if (failed_.load(std::memory_order_relaxed)) {
      followers_->arrive();
      opened_->arrive();
      continue;
    }
    auto c = std::make_shared<connection>(ctx, thread);
    conns_[i] = c;
    error_code ec = co_await open_connection(*c, plan_, i);
    if (!ec && setup_) ec = co_await setup_(*c, i);
    if (ec) {
      stats_[thread].connection_failed("connection " + std::to_string(i), ec);
      failed_.store(true, std::memory_order_relaxed);
      followers_->arrive();
    } else if (follow_) {
      spawn_tracked(ctx, follow_(c, i), stats_[thread], followers_);
    } else {
      followers_->arrive();
    }
    opened_->arrive();
  }
}

bool fleet::open_all(unsigned lanes, setup_fn setup, follow_fn follow, clock::time_point deadline) {
  setup_ = std::move(setup);
  follow_ = std::move(follow);
  const std::size_t threads = pool_.size();
  const std::size_t per_thread = std::max<std::size_t>(1, lanes / threads);
  const std::size_t step = threads * per_thread;
  const std::size_t lane_count = std::min(step, conns_.size());
  auto lanes_done = std::make_shared<countdown>(lane_count);
  for (std::size_t first = 0; first < lane_count; ++first) {
    const std::size_t thread = first % threads;
    spawn_tracked(pool_.context(thread), lane(thread, first, step), stats_[thread], lanes_done);
  }
  const bool all = opened_->wait_until(deadline) && lanes_done->wait_until(deadline);
  if (!all) failed_.store(true);
  return all && !failed_.load();
}

void fleet::spawn(std::size_t i, asio::awaitable<void> work, std::shared_ptr<countdown> done) {
  const std::size_t thread = conns_[i]->thread;
  spawn_tracked(pool_.context(thread), std::move(work), stats_[thread], std::move(done));
}

bool fleet::close_all(std::chrono::nanoseconds per_connection, clock::time_point deadline) {
  std::size_t n = 0;
  for (const auto& c : conns_) n += c ? 1 : 0;
  auto closed = std::make_shared<countdown>(n);
  for (const auto& c : conns_) {
    if (!c) continue;
    spawn_tracked(pool_.context(c->thread), close_one(c, per_connection), stats_[c->thread],
                  closed);
  }
  return closed->wait_until(deadline) && followers_->wait_until(deadline);
}

}  // namespace troupe::load
