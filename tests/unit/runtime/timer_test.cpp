// Timers: send_after delivers once, send_every repeats until cancelled or the actor stops
// (issue 2, item 8).
#include "actors/runtime/actor_system.hpp"

#include "tests/unit/runtime/test_support.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <variant>

namespace {

using namespace troupe::test;

struct once_after {
  std::chrono::milliseconds delay;
};
struct every {
  std::chrono::milliseconds period;
  int cancel_after;  // 0: never
};
struct tick {};
struct settle {};  // a later timer: by the time it arrives, no stray tick may be left
struct mark_after {
  std::chrono::milliseconds delay;
};
struct crash {};

// What the test reads back; shared because the actor reports through it asynchronously.
struct timer_probe {
  std::atomic<int> ticks{0};
  std::atomic<int> ticks_at_settle{-1};
  clock::time_point first_tick{};
  event first;
  event settled;
  event enough;  // `enough_at` ticks seen
  int enough_at = 3;
};

struct timed {
  using message = std::variant<once_after, every, tick, settle, mark_after, crash>;
  explicit timed(std::shared_ptr<timer_probe> p) : probe(std::move(p)) {}

  void handle(once_after m, troupe::actor_context<timed>& ctx) {
    ctx.send_after(m.delay, tick{});
    // Arrives well after the tick: any duplicate tick would have come before it.
    ctx.send_after(m.delay * 4, settle{});
  }
  void handle(every m, troupe::actor_context<timed>& ctx) {
    cancel_after = m.cancel_after;
    period = m.period;
    periodic = ctx.send_every(m.period, tick{});
  }
  void handle(tick, troupe::actor_context<timed>& ctx) {
    const int n = ++probe->ticks;
    if (n == 1) {
      probe->first_tick = clock::now();
      probe->first.fire();
    }
    if (n == probe->enough_at) probe->enough.fire();
    if (cancel_after != 0 && n == cancel_after && periodic) {
      ctx.cancel_timer(*periodic);
      ctx.send_after(period * 6, settle{});
    }
  }
  void handle(mark_after m, troupe::actor_context<timed>& ctx) {
    ctx.send_after(m.delay, settle{});
  }
  void handle(crash) { throw std::runtime_error("crash"); }
  void handle(settle) {
    probe->ticks_at_settle = probe->ticks.load();
    probe->settled.fire();
  }

  std::shared_ptr<timer_probe> probe;
  std::optional<troupe::timer_id> periodic;
  std::chrono::milliseconds period{0};
  int cancel_after = 0;
};

TEST(timers, send_after_delivers_once_after_the_delay) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto probe = std::make_shared<timer_probe>();
  auto a = system.spawn<timed>(probe);
  const auto delay = 50ms;
  const auto t0 = clock::now();
  ASSERT_TRUE(a.ask_blocking(once_after{delay}).has_value());
  ASSERT_TRUE(probe->first.wait());
  EXPECT_GE(probe->first_tick - t0, delay);
  ASSERT_TRUE(probe->settled.wait());
  EXPECT_EQ(probe->ticks_at_settle.load(), 1);
}

TEST(timers, send_every_repeats_until_cancelled) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto probe = std::make_shared<timer_probe>();
  auto a = system.spawn<timed>(probe);
  // A period long enough that only a stall of 100 ms could queue a second tick behind the 5th.
  ASSERT_TRUE(a.ask_blocking(every{100ms, 5}).has_value());
  ASSERT_TRUE(probe->settled.wait());
  // Cancelled in the 5th tick's handler; at most one tick may already have been in flight.
  EXPECT_GE(probe->ticks_at_settle.load(), 5);
  EXPECT_LE(probe->ticks_at_settle.load(), 6);
}

TEST(timers, send_every_ends_with_the_actor) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto probe = std::make_shared<timer_probe>();
  std::weak_ptr<troupe::actor_core<timed>> core;
  {
    auto a = system.spawn<timed>(probe);
    core = a.core();
    ASSERT_TRUE(a.ask_blocking(every{5ms, 0}).has_value());
    ASSERT_TRUE(probe->enough.wait());
    a.stop();
    EXPECT_EQ(a.wait(), troupe::exit_reason::normal);
  }
  const int at_stop = probe->ticks.load();
  EXPECT_GE(at_stop, probe->enough_at);
  // The timer must not keep the actor alive: once the runtime lets go, the core is freed.
  EXPECT_TRUE(eventually([&] { return core.expired(); })) << "a timer still holds the actor";
  EXPECT_EQ(probe->ticks.load(), at_stop);
  EXPECT_EQ(system.live_count(), 0u);
}

TEST(timers, pending_timers_die_with_the_actor) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto probe = std::make_shared<timer_probe>();
  auto a = system.spawn<timed>(probe);
  ASSERT_TRUE(a.ask_blocking(once_after{40ms}).has_value());  // tick at 40 ms, settle at 160 ms
  a.stop();
  EXPECT_EQ(a.wait(), troupe::exit_reason::normal);
  // Proving absence takes waiting: past the settle time, nothing may have arrived.
  EXPECT_FALSE(probe->settled.wait(250ms));
  EXPECT_EQ(probe->ticks.load(), 0);
}

TEST(timers, timers_are_dropped_on_restart) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto probe = std::make_shared<timer_probe>();
  auto a = system.spawn<timed>(probe);
  ASSERT_TRUE(a.ask_blocking(every{100ms, 0}).has_value());
  ASSERT_TRUE(probe->enough.wait());
  EXPECT_EQ(a.ask_blocking(crash{}).error(), troupe::actor_errc::handler_failed);
  const int at_restart = probe->ticks.load();
  // The new incarnation's own timer, five periods later: a surviving periodic timer would tick
  // about five times by then, one already in flight at most once.
  ASSERT_TRUE(a.ask_blocking(mark_after{500ms}).has_value());
  ASSERT_TRUE(probe->settled.wait());
  EXPECT_LE(probe->ticks_at_settle.load(), at_restart + 1) << "the old periodic timer survived";
}

}  // namespace
