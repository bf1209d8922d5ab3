// Worker pools: round robin spreads evenly, least_loaded steers around a busy worker
// (issue 2, item 7), nearest keeps an ask on the asker's own io thread while a worker there is
// idle.
#include "actors/runtime/actor_system.hpp"

#include "tests/unit/runtime/test_support.hpp"

#include <gtest/gtest.h>

#include <array>
#include <limits>
#include <memory>
#include <mutex>
#include <set>
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

struct ask_pool {};

// Asks the pool from the io thread it was placed on; answers the index of the worker that replied.
struct pool_asker {
  using message = std::variant<ask_pool>;
  explicit pool_asker(troupe::pool_ref<pool_worker> p) : pool(std::move(p)) {}
  boost::asio::awaitable<std::size_t> handle(ask_pool) {
    auto r = co_await pool.ask(which{}, 2s);
    co_return r ? *r : std::numeric_limits<std::size_t>::max();
  }
  troupe::pool_ref<pool_worker> pool;
};

// Worker i runs on io thread i mod 2, so workers 0 and 2 share thread 0, 1 and 3 thread 1.
std::set<std::size_t> asked_from_thread(troupe::actor_system& system,
                                        const troupe::pool_ref<pool_worker>& pool, std::size_t t,
                                        int asks = 20) {
  troupe::spawn_options options;
  options.io = &system.io_context(t);
  auto asker = system.spawn_with<pool_asker>(options, pool);
  std::set<std::size_t> answered;
  for (int i = 0; i < asks; ++i) answered.insert(asker.ask_blocking(ask_pool{}, 5s).value());
  return answered;
}

TEST(pool, nearest_asks_an_idle_worker_on_the_askers_own_thread) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto pool = system.spawn_pool<pool_worker>(4, troupe::pool_strategy::nearest);
  EXPECT_EQ(asked_from_thread(system, pool, 0), (std::set<std::size_t>{0, 2}));
  EXPECT_EQ(asked_from_thread(system, pool, 1), (std::set<std::size_t>{1, 3}));
}

TEST(pool, nearest_asks_another_thread_when_its_own_workers_are_busy) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto pool = system.spawn_pool<pool_worker>(4, troupe::pool_strategy::nearest);
  auto gate = std::make_shared<async_gate>();
  for (std::size_t i : {0, 2}) {  // thread 0's workers, held in a handler (the thread stays free)
    event entered;
    ASSERT_FALSE(pool.workers()[i].tell(hold{gate, entered}));
    ASSERT_TRUE(entered.wait());
  }
  const auto answered = asked_from_thread(system, pool, 0);
  EXPECT_FALSE(answered.contains(0) || answered.contains(2)) << "asked a busy worker";
  EXPECT_TRUE(answered.contains(1) || answered.contains(3));
  gate->open();
}

TEST(pool, nearest_from_outside_the_io_threads_is_least_loaded) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto pool = system.spawn_pool<pool_worker>(4, troupe::pool_strategy::nearest);
  std::set<std::size_t> answered;
  for (int i = 0; i < 20; ++i) answered.insert(pool.ask_blocking(which{}, 2s).value());
  EXPECT_EQ(answered.size(), 4u) << "idle workers are taken in turn";
}

}  // namespace
