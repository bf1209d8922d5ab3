// Asks inside handlers: deadlines are inherited from the ask being handled, and asks that would
// wait on their own asker fail at once with `deadlock` (issue 2, item 10).
#include "actors/runtime/actor_system.hpp"

#include "tests/unit/runtime/test_support.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <utility>
#include <variant>
#include <vector>

namespace {

using namespace troupe::test;
using troupe::actor_errc;

// --- deadline inheritance ---------------------------------------------------------------------

struct stall {
  std::shared_ptr<async_gate> gate;
};
struct staller {
  using message = std::variant<stall>;
  boost::asio::awaitable<int> handle(stall m) {
    co_await m.gate->async_wait(boost::asio::use_awaitable);
    co_return 0;
  }
};

struct inner_outcome {
  boost::system::error_code error;
  clock::duration elapsed{};
};

struct forward_to {
  troupe::actor_ref<staller> next;
  std::shared_ptr<async_gate> gate;
  std::shared_ptr<std::promise<inner_outcome>> inner;
};
struct forwarder {
  using message = std::variant<forward_to>;
  boost::asio::awaitable<int> handle(forward_to m) {
    const auto t0 = clock::now();
    // Built outside the co_await: GCC 12 destroys a braced temporary there twice.
    stall s{m.gate};
    auto r = co_await m.next.ask(std::move(s), 5s);  // far longer than what the caller allows
    m.inner->set_value(inner_outcome{r.error(), clock::now() - t0});
    co_return r ? *r : -1;
  }
};

TEST(deadlines, an_inner_ask_inherits_the_outer_deadline) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto b = system.spawn<staller>();
  auto a = system.spawn<forwarder>();
  auto gate = std::make_shared<async_gate>();
  auto inner = std::make_shared<std::promise<inner_outcome>>();
  auto inner_f = inner->get_future();

  const auto outer_timeout = 200ms;
  const auto t0 = clock::now();
  auto outer = a.ask_blocking(forward_to{b, gate, inner}, outer_timeout);
  EXPECT_EQ(outer.error(), actor_errc::timeout);
  EXPECT_LT(clock::now() - t0, 2s);

  ASSERT_TRUE(ready_within(inner_f, 3s)) << "the inner ask waited for its own 5 s timeout";
  auto o = inner_f.get();
  EXPECT_EQ(o.error, actor_errc::timeout);
  // Timed from the handler's start, which may come well after the ask on a busy machine.
  EXPECT_GE(o.elapsed, outer_timeout / 2);
  EXPECT_LT(o.elapsed, 1s);
  gate->open();
}

// --- deadlock detection -----------------------------------------------------------------------

struct node;
struct ping {};
struct ask_myself {};
// Ask path[0] to handle call{rest of path}; an empty path answers at once.
struct call {
  std::vector<troupe::actor_ref<node>> path;
};
struct outcome {
  boost::system::error_code error;  // what the last asker in the chain saw
};

// Handlers that ask are defined below node: the messages name actor_ref<node>, which needs
// node complete.
struct node {
  using message = std::variant<ping, ask_myself, call>;
  int handle(ping) { return 7; }
  boost::asio::awaitable<outcome> handle(ask_myself, troupe::actor_context<node>& ctx);
  boost::asio::awaitable<outcome> handle(call m);
};

boost::asio::awaitable<outcome> node::handle(ask_myself, troupe::actor_context<node>& ctx) {
  auto r = co_await ctx.self().ask(ping{}, 5s);
  co_return outcome{r.error()};
}
boost::asio::awaitable<outcome> node::handle(call m) {
  if (m.path.empty()) co_return outcome{};
  auto next = m.path.front();
  m.path.erase(m.path.begin());
  call rest{std::move(m.path)};  // not a braced temporary inside co_await (GCC 12 bug)
  auto r = co_await next.ask(std::move(rest), 5s);
  if (!r) co_return outcome{r.error()};
  co_return *r;
}

// Asks `first` to walk `path`; returns what the chain reported and how long it took.
std::pair<troupe::result<outcome>, clock::duration> walk(
    const troupe::actor_ref<node>& first, std::vector<troupe::actor_ref<node>> path) {
  const auto t0 = clock::now();
  auto r = first.ask_blocking(call{std::move(path)}, 5s);
  return {std::move(r), clock::now() - t0};
}

TEST(deadlines, asking_yourself_is_a_deadlock_reported_at_once) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto a = system.spawn<node>();
  const auto t0 = clock::now();
  auto r = a.ask_blocking(ask_myself{}, 5s);
  const auto elapsed = clock::now() - t0;
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->error, actor_errc::deadlock);
  EXPECT_LT(elapsed, 1s);  // not the 5 s timeout
  auto [r2, elapsed2] = walk(a, {a});
  ASSERT_TRUE(r2.has_value());
  EXPECT_EQ(r2->error, actor_errc::deadlock);
  EXPECT_LT(elapsed2, 1s);
}

TEST(deadlines, a_two_actor_ask_cycle_is_a_deadlock_reported_at_once) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto a = system.spawn<node>();
  auto b = system.spawn<node>();
  auto [r, elapsed] = walk(a, {b, a});  // A asks B, B asks A
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->error, actor_errc::deadlock);
  EXPECT_LT(elapsed, 1s);  // not the 5 s timeout
  // Both actors are still healthy.
  EXPECT_EQ(a.ask_blocking(ping{}).value(), 7);
  EXPECT_EQ(b.ask_blocking(ping{}).value(), 7);
}

TEST(deadlines, a_longer_cycle_is_a_deadlock_and_a_plain_chain_is_not) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto a = system.spawn<node>();
  auto b = system.spawn<node>();
  auto c = system.spawn<node>();
  auto [cycle, cycle_time] = walk(a, {b, c, a});  // A -> B -> C -> A
  ASSERT_TRUE(cycle.has_value()) << cycle.error().message();
  EXPECT_EQ(cycle->error, actor_errc::deadlock);
  EXPECT_LT(cycle_time, 1s);

  auto [chain, chain_time] = walk(a, {b, c});  // A -> B -> C, C answers
  ASSERT_TRUE(chain.has_value()) << chain.error().message();
  EXPECT_FALSE(chain->error) << chain->error.message();

  auto [revisit, revisit_time] = walk(a, {b, c, b});  // A -> B -> C -> B: B waits on C
  ASSERT_TRUE(revisit.has_value());
  EXPECT_EQ(revisit->error, actor_errc::deadlock);
}

}  // namespace
