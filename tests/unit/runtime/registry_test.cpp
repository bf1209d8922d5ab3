// Named actors: get_or_spawn under contention, names freed on stop, passivation, type checks
// (issue 2, item 6).
#include "actors/runtime/actor_system.hpp"

#include "tests/unit/runtime/test_support.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <memory>
#include <stdexcept>
#include <thread>
#include <variant>
#include <vector>

namespace {

using namespace troupe::test;

struct ping {};

struct construction_count {
  std::atomic<int> n{0};
};

struct singleton {
  using message = std::variant<ping>;
  explicit singleton(std::shared_ptr<construction_count> c) { ++c->n; }
  int handle(ping) { return 1; }
};

// Passivates after `idle` without mail.
struct sleepy {
  using message = std::variant<ping>;
  explicit sleepy(std::shared_ptr<construction_count> c, std::chrono::milliseconds idle = 40ms)
      : idle(idle) {
    ++c->n;
  }
  void on_start(troupe::actor_context<sleepy>& ctx) { ctx.set_idle_timeout(idle); }
  int handle(ping) { return 2; }
  std::chrono::milliseconds idle;
};

TEST(registry, racing_get_or_spawn_makes_exactly_one_actor) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto count = std::make_shared<construction_count>();
  constexpr int racers = 16;
  std::latch start(racers);
  std::vector<std::uint64_t> ids(racers, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < racers; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      ids[i] = system.get_or_spawn<singleton>("the-one", count).id();
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 1; i < racers; ++i) EXPECT_EQ(ids[i], ids[0]) << "racer " << i;
  auto found = system.find<singleton>("the-one");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id(), ids[0]);
  EXPECT_EQ(found->ask_blocking(ping{}).value(), 1);  // by now the constructor has run
  EXPECT_EQ(count->n.load(), 1);
  EXPECT_EQ(system.live_count(), 1u);
}

TEST(registry, a_stopped_actors_name_is_free_again) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto count = std::make_shared<construction_count>();
  auto first = system.get_or_spawn<singleton>("room-1", count);
  ASSERT_EQ(first.ask_blocking(ping{}).value(), 1);
  first.stop();
  ASSERT_EQ(first.wait(), troupe::exit_reason::normal);
  EXPECT_FALSE(system.find<singleton>("room-1").has_value());
  auto second = system.get_or_spawn<singleton>("room-1", count);
  EXPECT_NE(second.id(), first.id());
  EXPECT_EQ(second.ask_blocking(ping{}).value(), 1);
  EXPECT_EQ(count->n.load(), 2);
}

TEST(registry, an_idle_actor_passivates_and_comes_back_fresh) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto count = std::make_shared<construction_count>();
  auto first = system.get_or_spawn<sleepy>("sleepy", count);
  ASSERT_EQ(first.ask_blocking(ping{}).value(), 2);
  EXPECT_EQ(first.wait(), troupe::exit_reason::normal) << "passivation is a normal stop";
  EXPECT_FALSE(system.find<sleepy>("sleepy").has_value());
  EXPECT_EQ(first.tell(ping{}), troupe::actor_errc::stopped);

  auto second = system.get_or_spawn<sleepy>("sleepy", count);
  EXPECT_NE(second.id(), first.id());
  EXPECT_EQ(second.ask_blocking(ping{}).value(), 2);
  EXPECT_EQ(count->n.load(), 2);
}

TEST(registry, a_busy_actor_does_not_passivate) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto count = std::make_shared<construction_count>();
  const auto idle = 250ms;
  auto a = system.get_or_spawn<sleepy>("busy", count, idle);
  // Messages far closer together than the idle timeout keep it alive past that timeout.
  const auto until = clock::now() + 2 * idle;
  while (clock::now() < until) {
    ASSERT_EQ(a.ask_blocking(ping{}).value(), 2);
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_FALSE(a.exit().has_value());
  EXPECT_EQ(count->n.load(), 1);
}

TEST(registry, get_or_spawn_with_the_wrong_type_throws) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto count = std::make_shared<construction_count>();
  auto a = system.get_or_spawn<singleton>("typed", count);
  EXPECT_THROW(system.get_or_spawn<sleepy>("typed", count), std::logic_error);
  EXPECT_THROW(system.find<sleepy>("typed"), std::logic_error);
  EXPECT_THROW(system.spawn_with<singleton>(named("typed"), count), std::logic_error)
      << "spawn_with must not take a name that is in use";
  EXPECT_EQ(a.ask_blocking(ping{}).value(), 1);
  EXPECT_EQ(count->n.load(), 1);
}

// get_or_spawn_within bounds how many named actors of one type run; the named actors of other
// types do not count, a running actor is still found at the limit, and a stopped one frees its
// place.
TEST(registry, get_or_spawn_within_stops_spawning_at_the_limit) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto count = std::make_shared<construction_count>();
  auto other = system.get_or_spawn<singleton>("other-type", count);
  auto a = system.get_or_spawn_within<sleepy>(2, "a", count, 1h);
  auto b = system.get_or_spawn_within<sleepy>(2, "b", count, 1h);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(system.get_or_spawn_within<sleepy>(2, "c", count, 1h)) << "a third beyond the limit";
  auto again = system.get_or_spawn_within<sleepy>(2, "a", count, 1h);
  ASSERT_TRUE(again) << "a running actor is found at the limit";
  EXPECT_EQ(again->id(), a->id());
  EXPECT_TRUE(system.get_or_spawn_within<singleton>(2, "another-type", count))
      << "the limit counts actors of its own type only";
  b->stop();
  EXPECT_EQ(b->wait(), troupe::exit_reason::normal);
  auto c = system.get_or_spawn_within<sleepy>(2, "c", count, 1h);
  ASSERT_TRUE(c) << "a stopped actor frees its place";
  EXPECT_EQ(c->ask_blocking(ping{}).value(), 2);
  EXPECT_EQ(system.names_of<sleepy>().size(), 2u);
}

}  // namespace
