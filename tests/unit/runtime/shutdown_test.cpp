// Shutdown with work in flight: queued messages are finished, every pending ask completes or
// fails, on_stop runs, nothing is left alive; blocking calls on io threads are refused
// (issue 2, item 11).
#include "actors/runtime/actor_system.hpp"

#include "tests/unit/runtime/test_support.hpp"

#include <gtest/gtest.h>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <future>
#include <memory>
#include <stdexcept>
#include <variant>
#include <vector>

namespace {

using namespace troupe::test;
using troupe::actor_errc;

struct work {};
struct count_work {};
struct hold {
  std::shared_ptr<async_gate> gate;
  event entered;
};

struct shutdown_probe {
  std::atomic<int> handled{0};
  std::atomic<int> on_stop_runs{0};
  std::atomic<int> on_stop_reason_shutdown{0};
};

// Each message takes a little while, so shutdown finds a backlog.
struct slowpoke {
  using message = std::variant<work, count_work, hold>;
  explicit slowpoke(std::shared_ptr<shutdown_probe> p) : probe(std::move(p)) {}
  boost::asio::awaitable<void> handle(hold m) {
    m.entered.fire();
    co_await m.gate->async_wait(boost::asio::use_awaitable);
  }
  boost::asio::awaitable<int> handle(work) {
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, 2ms);
    co_await t.async_wait(boost::asio::use_awaitable);
    co_return ++probe->handled;
  }
  int handle(count_work) { return probe->handled; }
  void on_stop() { ++probe->on_stop_runs; }
  std::shared_ptr<shutdown_probe> probe;
};

TEST(shutdown, finishes_queued_work_and_answers_every_pending_ask) {
  watchdog dog;
  auto probe = std::make_shared<shutdown_probe>();
  client c;  // askers outside the system
  troupe::actor_system system(troupe::system_config{.threads = 2, .shutdown_timeout = 5s});
  std::vector<std::future<troupe::result<int>>> outside;
  std::vector<std::future<troupe::result<int>>> inside;
  std::vector<troupe::actor_ref<slowpoke>> actors;
  auto gate = std::make_shared<async_gate>();  // holds every actor until all is queued
  for (int i = 0; i < 3; ++i) {
    actors.push_back(system.spawn<slowpoke>(probe));
    event entered;
    ASSERT_FALSE(actors.back().tell(hold{gate, entered}));
    ASSERT_TRUE(entered.wait());
  }
  for (auto& a : actors) {
    for (int i = 0; i < 10; ++i) ASSERT_FALSE(a.tell(work{}));
    for (int i = 0; i < 5; ++i) outside.push_back(c.spawn(a.ask(work{}, 10s)));
    for (int i = 0; i < 5; ++i)  // askers running on the system's own threads
      inside.push_back(
          boost::asio::co_spawn(system.io_context(), a.ask(work{}, 10s), boost::asio::use_future));
  }
  c.poll();               // the outside asks are queued
  for (auto& a : actors)  // and the inside ones, once the io threads have run them
    ASSERT_TRUE(eventually([&] { return a.mailbox_depth() == 1 + 10 + 5 + 5; }));

  gate->open();
  system.shutdown();
  EXPECT_EQ(system.live_count(), 0u);
  EXPECT_TRUE(system.actors().empty());
  EXPECT_EQ(probe->on_stop_runs.load(), 3);
  EXPECT_EQ(probe->handled.load(), 3 * (10 + 5 + 5)) << "stop() drains what was queued";
  for (auto& a : actors) {
    EXPECT_EQ(a.exit(), troupe::exit_reason::shutdown);
    EXPECT_EQ(a.tell(work{}), actor_errc::stopped);
  }
  // The system's threads are gone: whatever its askers needed must already have run.
  for (std::size_t i = 0; i < inside.size(); ++i) {
    ASSERT_TRUE(ready_within(inside[i], 1s)) << "inside ask " << i << " hangs after shutdown";
    auto r = inside[i].get();
    EXPECT_TRUE(r.has_value()) << "inside ask " << i << ": " << r.error().message();
  }
  // Outside askers resume on their own io_context (before the system is destroyed: an ask must
  // not outlive the system it was made through).
  for (std::size_t i = 0; i < outside.size(); ++i) {
    ASSERT_TRUE(c.run_until(outside[i], 1s)) << "outside ask " << i << " hangs after shutdown";
    auto r = outside[i].get();
    EXPECT_TRUE(r.has_value()) << "outside ask " << i << ": " << r.error().message();
  }
}

TEST(shutdown, a_single_io_thread_still_delivers_the_last_replies) {
  watchdog dog;
  // With one io thread the actor's last steps and the askers' resumptions queue up behind each
  // other, so a shutdown that stops the io_context too early strands the askers.
  for (int round = 0; round < 20; ++round) {
    auto probe = std::make_shared<shutdown_probe>();
    troupe::actor_system system(troupe::system_config{.threads = 1});
    auto a = system.spawn<slowpoke>(probe);
    auto gate = std::make_shared<async_gate>();
    event entered;
    ASSERT_FALSE(a.tell(hold{gate, entered}));
    ASSERT_TRUE(entered.wait());
    std::vector<std::future<troupe::result<int>>> asks;
    for (int i = 0; i < 3; ++i)
      asks.push_back(boost::asio::co_spawn(system.io_context(), a.ask(count_work{}, 10s),
                                           boost::asio::use_future));
    ASSERT_TRUE(eventually([&] { return a.mailbox_depth() == 4; }));  // all three queued
    gate->open();
    system.shutdown();
    for (auto& f : asks) {
      ASSERT_TRUE(ready_within(f, 1s)) << "round " << round << ": an ask was stranded";
      auto r = f.get();
      EXPECT_TRUE(r.has_value()) << "round " << round << ": " << r.error().message();
    }
  }
}

// A handler that outlasts the shutdown timeout is cut off; the system still shuts down in
// bounded time and its pending asks end rather than hang.
struct stuck {
  using message = std::variant<work>;
  boost::asio::awaitable<int> handle(work) {
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, 30s);
    co_await t.async_wait(boost::asio::use_awaitable);
    co_return 1;
  }
};

TEST(shutdown, a_stuck_handler_is_cut_off_after_the_timeout) {
  watchdog dog;
  std::future<troupe::result<int>> queued;
  {
    troupe::actor_system system(troupe::system_config{.threads = 2, .shutdown_timeout = 150ms});
    auto s = system.spawn<stuck>();
    ASSERT_FALSE(s.tell(work{}));
    queued =
        boost::asio::co_spawn(system.io_context(), s.ask(work{}, 60s), boost::asio::use_future);
    const auto t0 = clock::now();
    system.shutdown();
    const auto took = clock::now() - t0;
    EXPECT_GE(took, 150ms);
    EXPECT_LT(took, 3s);
    EXPECT_EQ(system.live_count(), 0u);
    EXPECT_EQ(s.tell(work{}), actor_errc::stopped);
    EXPECT_FALSE(s.exit().has_value()) << "it never finished";
  }
  // Destroying the system released the cut-off actor and with it the ask's reply channel: the
  // ask ends (as `stopped`, or with a broken future if its own coroutine went first).
  ASSERT_TRUE(ready_within(queued, 1s)) << "the ask outlived the system, still pending";
  try {
    auto r = queued.get();
    EXPECT_EQ(r.error(), actor_errc::stopped);
  } catch (const std::future_error& e) {
    EXPECT_EQ(e.code(), std::future_errc::broken_promise);
  }
}

TEST(shutdown, spawning_after_shutdown_returns_a_stopped_actor) {
  watchdog dog;
  auto probe = std::make_shared<shutdown_probe>();
  troupe::actor_system system(troupe::system_config{.threads = 2});
  system.shutdown();
  auto late = system.spawn<slowpoke>(probe);
  EXPECT_EQ(late.exit(), troupe::exit_reason::shutdown);
  EXPECT_EQ(late.tell(work{}), actor_errc::stopped);
  EXPECT_EQ(late.wait(), troupe::exit_reason::shutdown);
  auto named = system.get_or_spawn<slowpoke>("late", probe);
  EXPECT_EQ(named.exit(), troupe::exit_reason::shutdown);
  EXPECT_EQ(system.live_count(), 0u);
  EXPECT_EQ(probe->on_stop_runs.load(), 0) << "an actor that never started never stops";
}

TEST(shutdown, ask_blocking_after_shutdown_fails_instead_of_hanging) {
  watchdog dog;
  auto probe = std::make_shared<shutdown_probe>();
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto a = system.spawn<slowpoke>(probe);
  system.shutdown();
  auto f = std::async(std::launch::async, [&] { return a.ask_blocking(count_work{}); });
  ASSERT_TRUE(ready_within(f, 2s)) << "ask_blocking hangs on a shut-down system";
  EXPECT_EQ(f.get().error(), actor_errc::stopped);
}

TEST(shutdown, a_ref_may_outlive_its_system) {
  watchdog dog;
  auto probe = std::make_shared<shutdown_probe>();
  troupe::actor_ref<slowpoke> survivor;
  {
    troupe::actor_system system(troupe::system_config{.threads = 2});
    survivor = system.spawn<slowpoke>(probe);
    ASSERT_EQ(survivor.ask_blocking(count_work{}).value(), 0);
  }
  EXPECT_EQ(survivor.exit(), troupe::exit_reason::shutdown);
  EXPECT_EQ(survivor.tell(work{}), actor_errc::stopped);
  EXPECT_EQ(probe->on_stop_runs.load(), 1);
  survivor = {};  // the last reference goes after the io_context: must not touch it
}

// --- blocking calls on io threads -------------------------------------------------------------

struct try_blocking {
  troupe::actor_ref<slowpoke> other;
};
struct blocking_report {
  bool ask_refused = false;
  bool wait_refused = false;
  bool shutdown_refused = false;
};
struct blocker {
  using message = std::variant<try_blocking>;
  blocking_report handle(try_blocking m, troupe::actor_context<blocker>& ctx) {
    blocking_report r;
    try {
      (void)m.other.ask_blocking(count_work{});
    } catch (const std::logic_error&) {
      r.ask_refused = true;
    }
    try {
      (void)m.other.wait();
    } catch (const std::logic_error&) {
      r.wait_refused = true;
    }
    try {
      ctx.system().shutdown();
    } catch (const std::logic_error&) {
      r.shutdown_refused = true;
    }
    return r;
  }
};

TEST(shutdown, blocking_calls_on_an_io_thread_throw_logic_error) {
  watchdog dog;
  auto probe = std::make_shared<shutdown_probe>();
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto other = system.spawn<slowpoke>(probe);
  auto b = system.spawn<blocker>();
  auto r = b.ask_blocking(try_blocking{other});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_TRUE(r->ask_refused);
  EXPECT_TRUE(r->wait_refused);
  EXPECT_TRUE(r->shutdown_refused);
  EXPECT_EQ(other.ask_blocking(count_work{}).value(), 0) << "the other actor is unaffected";
  EXPECT_FALSE(system.shutting_down());
}

}  // namespace
