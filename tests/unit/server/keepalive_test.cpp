// Keep-alive without a timer per connection: the schedule's ticks, the registry finding silent
// connections by their stamps, and idle_sweep pinging a silent connection before dropping it
// while sparing one that answers.
#include "server/keepalive.hpp"
#include "server/connection_registry.hpp"
#include "server/idle_sweep.hpp"
#include "tests/support/watchdog.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

namespace troupe {
namespace {

using namespace std::chrono_literals;

TEST(keepalive_schedule, pings_at_half_the_timeout_and_drops_at_all_of_it) {
  const auto s = keepalive_schedule::for_timeout(60000ms);
  EXPECT_EQ(s.tick, 7500ms);
  EXPECT_EQ(s.ping_after, 4u);
  EXPECT_EQ(s.close_after, 8u);
  // A stamp taken during a tick is behind by up to one tick at the next boundary, so a verdict
  // needs one boundary more than the whole ticks it stands for.
  EXPECT_EQ(s.judge(0), keepalive_verdict::fine);
  EXPECT_EQ(s.judge(4), keepalive_verdict::fine);
  EXPECT_EQ(s.judge(5), keepalive_verdict::ping);
  EXPECT_EQ(s.judge(8), keepalive_verdict::ping);
  EXPECT_EQ(s.judge(9), keepalive_verdict::close);
}

TEST(keepalive_schedule, tiny_timeouts_still_ping_before_dropping) {
  for (auto timeout : {1ms, 2ms, 7ms, 9ms, 401ms}) {
    const auto s = keepalive_schedule::for_timeout(timeout);
    EXPECT_GE(s.tick, 1ms) << timeout.count();
    EXPECT_LT(s.ping_after, s.close_after) << timeout.count();
    EXPECT_GE(s.close_after * s.tick, timeout) << timeout.count();  // never dropped early
    EXPECT_LE(s.close_after * s.tick, timeout + s.tick) << timeout.count();
  }
}

TEST(keepalive_clock, advances_one_tick_at_a_time) {
  keepalive_clock clock;
  EXPECT_EQ(clock.now(), 0u);
  EXPECT_EQ(clock.advance(), 1u);
  EXPECT_EQ(clock.advance(), 2u);
  EXPECT_EQ(clock.now(), 2u);
}

// A connection that records what the sweep told it; `answers` models a peer that pongs each
// ping at once (its stamp moves to the current tick).
struct fake_connection : closable {
  explicit fake_connection(const keepalive_clock* clock = nullptr) : clock(clock) {}
  void close_for_shutdown() override { ++shutdowns; }
  void abort() override { ++aborts; }
  void keepalive(keepalive_verdict v) override {
    verdicts.push_back(v);
    if (clock && v == keepalive_verdict::ping) heard.store(clock->now());
  }
  const keepalive_clock* clock;
  heard_stamp heard{0};
  std::vector<keepalive_verdict> verdicts;
  int shutdowns = 0;
  int aborts = 0;
};

TEST(connection_registry, finds_connections_by_how_long_they_are_silent) {
  connection_registry registry;
  auto quiet = std::make_shared<fake_connection>();
  auto recent = std::make_shared<fake_connection>();
  auto unstamped = std::make_shared<fake_connection>();  // an HTTP connection: no keep-alive
  quiet->heard = 10;
  recent->heard = 18;
  registry.add(quiet, &quiet->heard);
  registry.add(recent, &recent->heard);
  registry.add(unstamped);

  auto silent = registry.silent_since(20, 4);
  ASSERT_EQ(silent.size(), 1u);
  EXPECT_EQ(silent[0].connection, quiet);
  EXPECT_EQ(silent[0].silent_ticks, 10u);
  EXPECT_EQ(registry.silent_since(20, 1).size(), 2u);
  EXPECT_TRUE(registry.silent_since(20, 10).empty());

  // The clock wraps: a stamp just before the wrap is a few ticks old just after it.
  quiet->heard = 0xFFFFFFFEu;
  recent->heard = 2;
  silent = registry.silent_since(3, 4);
  ASSERT_EQ(silent.size(), 1u);
  EXPECT_EQ(silent[0].silent_ticks, 5u);

  registry.close_all();
  EXPECT_EQ(quiet->shutdowns + recent->shutdowns + unstamped->shutdowns, 3);
}

// Shutdown: every connection is asked to close, none may register afterwards, and those still
// registered past the grace period are dropped (the ones that ended are left alone).
TEST(connection_registry, shutdown_closes_then_drops_what_is_left) {
  connection_registry registry;
  auto lingering = std::make_shared<fake_connection>();
  auto polite = std::make_shared<fake_connection>();
  registry.add(lingering);
  const auto polite_id = registry.add(polite);
  registry.close_all();
  EXPECT_EQ(lingering->shutdowns, 1);
  EXPECT_EQ(polite->shutdowns, 1);
  EXPECT_EQ(registry.add(std::make_shared<fake_connection>()), 0u) << "registered while closing";
  registry.remove(polite_id);  // it closed
  registry.abort_all();
  EXPECT_EQ(lingering->aborts, 1);
  EXPECT_EQ(polite->aborts, 0);
}

TEST(connection_registry, a_connection_that_is_gone_is_not_returned) {
  connection_registry registry;
  auto gone = std::make_shared<fake_connection>();
  gone->heard = 0;
  // A real connection removes itself as it dies; this one does not.
  registry.add(gone, &gone->heard);
  std::weak_ptr<fake_connection> weak = gone;
  const heard_stamp stays_zero{0};
  auto keeper = std::make_shared<fake_connection>();
  registry.add(keeper, &stays_zero);
  gone.reset();
  ASSERT_TRUE(weak.expired());
  auto silent = registry.silent_since(100, 1);
  ASSERT_EQ(silent.size(), 1u);
  EXPECT_EQ(silent[0].connection, keeper);
}

TEST(idle_sweep, pings_a_silent_connection_then_drops_it_and_spares_one_that_answers) {
  test::watchdog guard;
  boost::asio::io_context io;
  connection_registry registry;
  keepalive_clock clock;
  keepalive_schedule schedule;
  schedule.tick = 1ms;
  schedule.ping_after = 3;
  schedule.close_after = 6;
  auto silent = std::make_shared<fake_connection>();
  auto answering = std::make_shared<fake_connection>(&clock);
  registry.add(silent, &silent->heard);
  registry.add(answering, &answering->heard);

  idle_sweep sweep(io, schedule, clock, registry);
  sweep.start();
  while (std::ranges::count(silent->verdicts, keepalive_verdict::close) == 0) io.run_one();
  while (clock.now() < 40) io.run_one();  // long after `answering` would have been dropped
  sweep.stop();
  io.run();  // returns once the sweep has stopped: nothing else keeps the io_context busy

  // Pings from the first boundary past ping_after, a drop from the first past close_after.
  const auto first_close = std::ranges::find(silent->verdicts, keepalive_verdict::close);
  EXPECT_EQ(std::count(silent->verdicts.begin(), first_close, keepalive_verdict::ping), 3);
  EXPECT_EQ(first_close - silent->verdicts.begin(), 3);
  EXPECT_FALSE(answering->verdicts.empty());
  EXPECT_EQ(std::ranges::count(answering->verdicts, keepalive_verdict::close), 0);
}

}  // namespace
}  // namespace troupe
