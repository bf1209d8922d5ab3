// Placement: each io thread runs an io_context of its own, and every actor stays on one of them
// (actor_system.hpp): on the one named at spawn, worker i of a pool on thread i mod n, others in
// turn. And a shutdown destroys every io_context's handlers before any io_context.
#include "actors/runtime/actor_system.hpp"

#include "tests/unit/runtime/test_support.hpp"

#include <gtest/gtest.h>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <future>
#include <memory>
#include <set>
#include <thread>
#include <variant>
#include <vector>

namespace {

using namespace troupe::test;
using namespace std::chrono_literals;

struct where {};

// Answers the thread it runs on.
struct placed {
  using message = std::variant<where>;
  placed() = default;
  explicit placed(std::size_t) {}  // a pool worker's index
  std::thread::id handle(where) { return std::this_thread::get_id(); }
};

std::thread::id thread_of(boost::asio::io_context& io) {
  std::promise<std::thread::id> id;
  boost::asio::post(io, [&id] { id.set_value(std::this_thread::get_id()); });
  return id.get_future().get();
}

// Every answer from `a` comes from the same thread.
template <class Ref>
std::thread::id only_thread_of(const Ref& a) {
  const auto first = a.ask_blocking(where{}).value();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(a.ask_blocking(where{}).value(), first);
  return first;
}

TEST(placement, each_io_thread_has_its_own_io_context) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 3});
  std::set<std::thread::id> threads;
  for (std::size_t i = 0; i < 3; ++i) {
    const auto t = thread_of(system.io_context(i));
    EXPECT_EQ(thread_of(system.io_context(i)), t) << "io_context " << i << " moved threads";
    threads.insert(t);
  }
  EXPECT_EQ(threads.size(), 3u);
}

TEST(placement, an_actor_runs_on_the_io_context_it_was_spawned_on) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  for (std::size_t i : {1, 1, 0, 0}) {  // not the order of "in turn"
    troupe::spawn_options options;
    options.io = &system.io_context(i);
    auto a = system.spawn_with<placed>(options);
    EXPECT_EQ(only_thread_of(a), thread_of(system.io_context(i))) << "io_context " << i;
  }
}

TEST(placement, actors_without_a_place_take_the_threads_in_turn) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  std::set<std::thread::id> used;
  std::thread::id previous;
  for (int k = 0; k < 4; ++k) {
    const auto t = only_thread_of(system.spawn<placed>());
    if (k > 0) {
      EXPECT_NE(t, previous) << "two in a row on one thread";
    }
    previous = t;
    used.insert(t);
  }
  EXPECT_EQ(used.size(), 2u);
}

TEST(placement, pool_worker_i_runs_on_io_thread_i_mod_n) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  system.spawn<placed>();  // so that taking the threads in turn would start at the second
  auto pool = system.spawn_pool<placed>(5, troupe::pool_strategy::round_robin);
  for (std::size_t i = 0; i < pool.size(); ++i)
    EXPECT_EQ(only_thread_of(pool.workers()[i]), thread_of(system.io_context(i % 2)))
        << "worker " << i;
}

// A handler left pending at shutdown on one io_context owns a timer of another's, which the
// handler's destruction destroys: that other io_context must still be whole then (ASan sees it
// otherwise). Both directions, so whichever io_context goes first, one case would catch it.
TEST(placement, shutdown_destroys_every_pending_handler_before_any_io_context) {
  watchdog dog;
  auto system = std::make_unique<troupe::actor_system>(troupe::system_config{
      .threads = 2, .shutdown_timeout = 50ms});
  std::vector<std::unique_ptr<boost::asio::steady_timer>> waits;
  std::vector<std::weak_ptr<boost::asio::steady_timer>> foreign_timers;
  for (std::size_t i = 0; i < 2; ++i) {
    auto foreign = std::make_shared<boost::asio::steady_timer>(system->io_context(1 - i), 1h);
    foreign->async_wait([](boost::system::error_code) {});
    foreign_timers.push_back(foreign);
    // Pending at shutdown, its handler the only owner of the other io_context's timer.
    waits.push_back(std::make_unique<boost::asio::steady_timer>(system->io_context(i), 1h));
    waits.back()->async_wait([foreign = std::move(foreign)](boost::system::error_code) {});
  }
  system->shutdown();
  for (const auto& f : foreign_timers)
    EXPECT_TRUE(f.expired()) << "shutdown() left a pending handler alive";
  waits.clear();  // after the shutdown, before the io_contexts go
  system.reset();
}

}  // namespace
