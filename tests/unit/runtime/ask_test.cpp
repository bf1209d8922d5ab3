// ask: replies, timeouts, asks to stopped actors, failing handlers, and actors that stop before
// replying (issue 2, item 2).
#include "actors/runtime/actor_system.hpp"

#include "tests/unit/runtime/test_support.hpp"

#include <gtest/gtest.h>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <stdexcept>
#include <variant>
#include <vector>

namespace {

using namespace troupe::test;
using troupe::actor_errc;

struct double_it {
  int v;
};
struct linger {
  std::chrono::milliseconds for_;
};
struct explode {};
struct hold {
  std::shared_ptr<async_gate> gate;
  event entered;
};
struct hold_then_explode {
  std::shared_ptr<async_gate> gate;
  event entered;
};

struct worker {
  using message = std::variant<double_it, linger, explode, hold, hold_then_explode>;
  int handle(double_it m) { return m.v * 2; }
  boost::asio::awaitable<int> handle(linger m) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, m.for_);
    co_await timer.async_wait(boost::asio::use_awaitable);
    co_return 1;
  }
  int handle(explode) { throw std::runtime_error("explode"); }
  boost::asio::awaitable<void> handle(hold m) {
    m.entered.fire();
    co_await m.gate->async_wait(boost::asio::use_awaitable);
  }
  boost::asio::awaitable<void> handle(hold_then_explode m) {
    m.entered.fire();
    co_await m.gate->async_wait(boost::asio::use_awaitable);
    throw std::runtime_error("explode after hold");
  }
};

troupe::system_config two_threads() {
  return troupe::system_config{.threads = 2};
}

TEST(ask, returns_the_handlers_reply) {
  watchdog dog;
  client c;  // outlives the system: its io threads post to it
  troupe::actor_system system(two_threads());
  auto w = system.spawn<worker>();
  EXPECT_EQ(w.ask_blocking(double_it{21}).value(), 42);

  // The same from a coroutine on a client io_context.
  auto f = c.spawn(w.ask(double_it{-4}));
  ASSERT_TRUE(c.run_until(f));
  auto r = f.get();
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(*r, -8);
}

TEST(ask, holds_the_actor_not_the_ref_it_was_made_from) {
  watchdog dog;
  client c;  // outlives the system: its io threads post to it
  troupe::actor_system system(two_threads());
  // The refs are temporaries, gone before the coroutines first run.
  auto asked = c.spawn(system.spawn<worker>().ask(double_it{4}));
  auto sent = c.spawn(system.spawn<worker>().send(double_it{1}));
  auto joined = c.spawn([&] {
    auto w = system.spawn<worker>();
    w.stop();
    return w.join();
  }());
  ASSERT_TRUE(c.run_until(asked));
  EXPECT_EQ(asked.get().value(), 8);
  ASSERT_TRUE(c.run_until(sent));
  EXPECT_FALSE(sent.get());
  ASSERT_TRUE(c.run_until(joined));
  EXPECT_EQ(joined.get(), troupe::exit_reason::normal);
}

TEST(ask, times_out_well_before_a_slow_handler_finishes) {
  watchdog dog;
  troupe::actor_system system(two_threads());
  auto w = system.spawn<worker>();
  const auto handler_time = 600ms;
  const auto t0 = clock::now();
  auto r = w.ask_blocking(linger{handler_time}, 50ms);
  const auto elapsed = clock::now() - t0;
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), actor_errc::timeout);
  EXPECT_GE(elapsed, 50ms);  // never early
  EXPECT_LT(elapsed, handler_time) << "the timeout waited for the handler";
  // The late reply is dropped harmlessly; the actor goes on serving.
  EXPECT_EQ(w.ask_blocking(double_it{5}).value(), 10);
}

TEST(ask, to_a_stopped_actor_fails_with_stopped) {
  watchdog dog;
  troupe::actor_system system(two_threads());
  auto w = system.spawn<worker>();
  w.stop();
  // Refused at once, before and after the actor has finished stopping.
  EXPECT_EQ(w.ask_blocking(double_it{1}).error(), actor_errc::stopped);
  EXPECT_EQ(w.wait(), troupe::exit_reason::normal);
  EXPECT_EQ(w.ask_blocking(double_it{1}).error(), actor_errc::stopped);
}

TEST(ask, whose_handler_throws_fails_with_handler_failed) {
  watchdog dog;
  troupe::actor_system system(two_threads());
  auto w = system.spawn<worker>();
  auto r = w.ask_blocking(explode{});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), actor_errc::handler_failed);
  EXPECT_EQ(w.ask_blocking(double_it{2}).value(), 4) << "the actor was not restarted";
}

TEST(ask, to_an_actor_that_stops_before_replying_fails_with_stopped) {
  watchdog dog;
  client c;  // outlives the system: its io threads post to it
  troupe::actor_system system(two_threads());
  // No restarts: the first failure ends the actor with the ask still queued behind it.
  auto w = system.spawn_with<worker>(with_restarts(0));
  auto gate = std::make_shared<async_gate>();
  event entered;
  ASSERT_FALSE(w.tell(hold_then_explode{gate, entered}));
  ASSERT_TRUE(entered.wait());

  auto queued = c.spawn(w.ask(double_it{3}, 10s));
  c.poll();  // the ask is now in the mailbox, behind the held handler
  EXPECT_NE(queued.wait_for(0s), std::future_status::ready);

  gate->open();
  ASSERT_TRUE(c.run_until(queued));
  auto r = queued.get();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), actor_errc::stopped);
  EXPECT_EQ(w.wait(), troupe::exit_reason::failure);
}

TEST(ask, in_flight_when_the_actor_is_stopped_is_still_answered) {
  watchdog dog;
  client c;  // outlives the system: its io threads post to it
  troupe::actor_system system(two_threads());
  auto w = system.spawn<worker>();
  auto gate = std::make_shared<async_gate>();
  event entered;
  ASSERT_FALSE(w.tell(hold{gate, entered}));
  ASSERT_TRUE(entered.wait());
  auto queued = c.spawn(w.ask(double_it{8}, 10s));
  c.poll();
  w.stop();  // stop() finishes what is queued
  gate->open();
  ASSERT_TRUE(c.run_until(queued));
  EXPECT_EQ(queued.get().value(), 16);
  EXPECT_EQ(w.wait(), troupe::exit_reason::normal);
}

// A handler can claim its reply (actor_context::claim_reply) before it changes anything the asker
// must learn of: once claimed, the asker waits for the reply past its deadline; an ask that has
// already timed out cannot be claimed, so its handler can leave things as they were.
struct claim_then_linger {
  std::chrono::milliseconds for_;
};
struct claim {};
struct claims_so_far {};

struct claimer {
  using message = std::variant<hold, claim_then_linger, claim, claims_so_far>;
  boost::asio::awaitable<void> handle(hold m) {
    m.entered.fire();
    co_await m.gate->async_wait(boost::asio::use_awaitable);
  }
  boost::asio::awaitable<int> handle(claim_then_linger m, troupe::actor_context<claimer>& ctx) {
    if (!ctx.claim_reply()) co_return -1;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, m.for_);
    co_await timer.async_wait(boost::asio::use_awaitable);
    co_return 1;
  }
  int handle(claim, troupe::actor_context<claimer>& ctx) {
    claims.push_back(ctx.claim_reply());
    return 1;
  }
  std::vector<bool> handle(claims_so_far) { return claims; }
  std::vector<bool> claims;
};

TEST(ask, a_claimed_reply_is_waited_for_past_the_deadline) {
  watchdog dog;
  troupe::actor_system system(two_threads());
  auto c = system.spawn<claimer>();
  const auto t0 = clock::now();
  auto r = c.ask_blocking(claim_then_linger{300ms}, 50ms);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(*r, 1);
  EXPECT_GE(clock::now() - t0, 300ms);
}

TEST(ask, one_that_timed_out_cannot_be_claimed_and_a_tell_always_can) {
  watchdog dog;
  troupe::actor_system system(two_threads());
  auto c = system.spawn<claimer>();
  auto gate = std::make_shared<async_gate>();
  event entered;
  ASSERT_FALSE(c.tell(hold{gate, entered}));
  ASSERT_TRUE(entered.wait());

  // Queued behind the held handler, the ask times out before it is handled.
  auto late = c.ask_blocking(claim{}, 30ms);
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error(), actor_errc::timeout);
  ASSERT_FALSE(c.tell(claim{}));
  gate->open();
  EXPECT_EQ(c.ask_blocking(claim{}).value(), 1);
  EXPECT_EQ(c.ask_blocking(claims_so_far{}).value(), (std::vector<bool>{false, true, true}))
      << "the timed-out ask, the tell, the ask still waiting";
}

}  // namespace
