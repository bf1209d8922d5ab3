// Worker pools: round robin spreads evenly, least_loaded steers around a busy worker
// (issue 2, item 7).
#include "actors/runtime/actor_system.hpp"

#include "tests/unit/runtime/test_support.hpp"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

namespace {

using namespace troupe::test;

struct which {};
struct hold {
  std::shared_ptr<async_gate> gate;
  event entered;
};

struct pool_worker {
  using message = std::variant<which, hold>;
  explicit pool_worker(std::size_t index) : index(index) {}
  std::size_t handle(which) { return index; }
  boost::asio::awaitable<void> handle(hold m) {
    m.entered.fire();
    co_await m.gate->async_wait(boost::asio::use_awaitable);
  }
  std::size_t index;
};

TEST(pool, round_robin_spreads_asks_evenly) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto pool = system.spawn_pool<pool_worker>(4, troupe::pool_strategy::round_robin);
  ASSERT_EQ(pool.size(), 4u);
  std::mutex mu;
  std::array<int, 4> tally{};
  int failures = 0;
  std::vector<std::thread> askers;
  for (int t = 0; t < 4; ++t) {
    askers.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        auto r = pool.ask_blocking(which{});
        std::lock_guard lock(mu);
        if (r && *r < tally.size())
          ++tally[*r];
        else
          ++failures;
      }
    });
  }
  for (auto& t : askers) t.join();
  EXPECT_EQ(failures, 0);
  for (std::size_t i = 0; i < tally.size(); ++i) EXPECT_EQ(tally[i], 100) << "worker " << i;
}

TEST(pool, least_loaded_avoids_a_busy_worker) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto pool = system.spawn_pool<pool_worker>(4, troupe::pool_strategy::least_loaded);
  // Worker 0 is stuck in a long handler with nothing queued behind it: busy, mailbox empty.
  auto gate = std::make_shared<async_gate>();
  event entered;
  ASSERT_FALSE(pool.workers()[0].tell(hold{gate, entered}));
  ASSERT_TRUE(entered.wait());

  std::array<int, 4> tally{};
  for (int i = 0; i < 40; ++i) {
    auto r = pool.ask_blocking(which{}, 2s);
    ASSERT_TRUE(r.has_value()) << "ask " << i
                               << " went to the busy worker: " << r.error().message();
    ++tally[*r];
  }
  EXPECT_EQ(tally[0], 0);
  for (std::size_t i = 1; i < tally.size(); ++i) EXPECT_GT(tally[i], 0) << "worker " << i;
  gate->open();
}

TEST(pool, least_loaded_avoids_a_worker_with_a_backlog) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto pool = system.spawn_pool<pool_worker>(3, troupe::pool_strategy::least_loaded);
  auto gate = std::make_shared<async_gate>();
  event entered;
  ASSERT_FALSE(pool.workers()[1].tell(hold{gate, entered}));
  ASSERT_TRUE(entered.wait());
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(pool.workers()[1].tell(which{}));
  for (int i = 0; i < 30; ++i) {
    auto r = pool.ask_blocking(which{}, 2s);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_NE(*r, 1u);
  }
  gate->open();
}

}  // namespace
