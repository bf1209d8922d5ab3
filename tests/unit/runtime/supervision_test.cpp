// Restart policy, death watch and lifecycle hooks (issue 2, item 5).
#include "actors/runtime/actor_system.hpp"

#include "tests/unit/runtime/test_support.hpp"

#include <gtest/gtest.h>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace {

using namespace troupe::test;
using troupe::actor_errc;
using troupe::exit_reason;

struct inc {};
struct get {};
struct fail {};

struct fragile_counter {
  using message = std::variant<inc, get, fail>;
  static constexpr const char* kind = "fragile_counter";
  int handle(inc) { return ++count; }
  int handle(get) { return count; }
  void handle(fail) { throw std::runtime_error("injected failure"); }
  int count = 0;
};

std::uint64_t restarts_of(troupe::actor_system& system, std::uint64_t id) {
  for (const auto& a : system.actors())
    if (a.id == id) return a.restarts;
  ADD_FAILURE() << "actor " << id << " not listed";
  return 0;
}

TEST(supervision, a_failing_handler_restarts_the_actor_with_fresh_state) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto c = system.spawn<fragile_counter>();
  for (int i = 1; i <= 3; ++i) ASSERT_EQ(c.ask_blocking(inc{}).value(), i);
  EXPECT_EQ(c.ask_blocking(fail{}).error(), actor_errc::handler_failed);
  EXPECT_EQ(c.ask_blocking(get{}).value(), 0) << "the new incarnation must start from scratch";
  EXPECT_EQ(c.ask_blocking(inc{}).value(), 1);
  EXPECT_EQ(restarts_of(system, c.id()), 1u);
  ASSERT_FALSE(c.tell(fail{}));  // a failing tell restarts too
  EXPECT_EQ(c.ask_blocking(get{}).value(), 0);
  EXPECT_EQ(restarts_of(system, c.id()), 2u);
}

TEST(supervision, more_failures_than_the_budget_end_the_actor) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto c = system.spawn_with<fragile_counter>(with_restarts(2, 10s));
  EXPECT_EQ(c.ask_blocking(fail{}).error(), actor_errc::handler_failed);
  EXPECT_EQ(c.ask_blocking(fail{}).error(), actor_errc::handler_failed);
  EXPECT_EQ(c.ask_blocking(get{}).value(), 0) << "two restarts are within the budget";
  EXPECT_EQ(c.ask_blocking(fail{}).error(), actor_errc::handler_failed);
  EXPECT_EQ(c.wait(), exit_reason::restarts_exhausted);
  EXPECT_EQ(c.tell(inc{}), actor_errc::stopped);
  EXPECT_EQ(c.ask_blocking(get{}).error(), actor_errc::stopped);
}

TEST(supervision, failures_outside_the_window_do_not_count) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  // Long enough that the last two failures fall inside one window even on a stalled machine
  // (outside it the actor would restart, and wait() below would never return).
  const auto window = 1s;
  auto c = system.spawn_with<fragile_counter>(with_restarts(1, window));
  EXPECT_EQ(c.ask_blocking(fail{}).error(), actor_errc::handler_failed);
  std::this_thread::sleep_for(window + 200ms);  // the policy is about elapsed time itself
  EXPECT_EQ(c.ask_blocking(fail{}).error(), actor_errc::handler_failed);
  EXPECT_EQ(c.ask_blocking(get{}).value(), 0) << "the first failure should have aged out";
  EXPECT_EQ(c.ask_blocking(fail{}).error(), actor_errc::handler_failed);
  EXPECT_EQ(c.wait(), exit_reason::restarts_exhausted);
}

TEST(supervision, no_restart_policy_ends_the_actor_with_failure) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto c = system.spawn_with<fragile_counter>(with_restarts(0));
  EXPECT_EQ(c.ask_blocking(fail{}).error(), actor_errc::handler_failed);
  EXPECT_EQ(c.wait(), exit_reason::failure);
}

// --- death watch ---------------------------------------------------------------------------

struct watch_it {
  troupe::actor_ref<fragile_counter> target;
};

struct watcher {
  using message = std::variant<watch_it, troupe::actor_terminated>;
  explicit watcher(std::shared_ptr<std::promise<troupe::actor_terminated>> seen)
      : seen(std::move(seen)) {}
  void handle(watch_it m, troupe::actor_context<watcher>& ctx) { ctx.watch(m.target); }
  void handle(troupe::actor_terminated t) {
    ++notices;
    if (notices == 1) seen->set_value(std::move(t));
  }
  std::shared_ptr<std::promise<troupe::actor_terminated>> seen;
  int notices = 0;
};

struct watched_end {
  troupe::actor_terminated note;
  bool arrived = false;
};

// Watches `target`, runs `end_it`, and returns what the watcher was told.
template <class EndIt>
watched_end watch_and_end(troupe::actor_system& system, troupe::actor_ref<fragile_counter> target,
                          EndIt end_it) {
  auto seen = std::make_shared<std::promise<troupe::actor_terminated>>();
  auto f = seen->get_future();
  auto w = system.spawn<watcher>(seen);
  EXPECT_TRUE(w.ask_blocking(watch_it{target}).has_value());  // the watch is in place
  end_it();
  watched_end out;
  out.arrived = ready_within(f);
  if (out.arrived) out.note = f.get();
  return out;
}

TEST(supervision, a_watcher_learns_of_exhausted_restarts) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto c = system.spawn_with<fragile_counter>(named("doomed", 0, restarts(1)));
  auto end = watch_and_end(system, c, [&] {
    ASSERT_FALSE(c.tell(fail{}));
    ASSERT_FALSE(c.tell(fail{}));
  });
  ASSERT_TRUE(end.arrived);
  EXPECT_EQ(end.note.id, c.id());
  EXPECT_EQ(end.note.name, "doomed");
  EXPECT_EQ(end.note.kind, "fragile_counter");
  EXPECT_EQ(end.note.reason, exit_reason::restarts_exhausted);
}

TEST(supervision, a_watcher_learns_of_a_normal_stop) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto c = system.spawn<fragile_counter>();
  auto end = watch_and_end(system, c, [&] { c.stop(); });
  ASSERT_TRUE(end.arrived);
  EXPECT_EQ(end.note.id, c.id());
  EXPECT_EQ(end.note.reason, exit_reason::normal);
  EXPECT_EQ(c.wait(), exit_reason::normal);
}

TEST(supervision, watching_an_actor_already_gone_reports_at_once) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto c = system.spawn<fragile_counter>();
  c.stop();
  ASSERT_EQ(c.wait(), exit_reason::normal);
  auto end = watch_and_end(system, c, [] {});
  ASSERT_TRUE(end.arrived);
  EXPECT_EQ(end.note.reason, exit_reason::normal);
}

// --- lifecycle hooks -------------------------------------------------------------------------

struct lifecycle_log {
  std::mutex mu;
  std::vector<std::string> lines;
  std::atomic<int> incarnations{0};
  void add(std::string s) {
    std::lock_guard lock(mu);
    lines.push_back(std::move(s));
  }
  std::vector<std::string> snapshot() {
    std::lock_guard lock(mu);
    return lines;
  }
};

// on_stop takes a while (it awaits a timer), so a restart that did not wait for it would let
// the next on_start slip in between.
struct hooked {
  using message = std::variant<fail, get>;
  explicit hooked(std::shared_ptr<lifecycle_log> log)
      : log(std::move(log)), n(++this->log->incarnations) {}
  void on_start() { log->add("start " + std::to_string(n)); }
  boost::asio::awaitable<void> on_stop() {
    log->add("stop-begin " + std::to_string(n));
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, 30ms);
    co_await t.async_wait(boost::asio::use_awaitable);
    log->add("stop-end " + std::to_string(n));
  }
  void handle(fail) { throw std::runtime_error("injected failure"); }
  int handle(get) { return n; }
  std::shared_ptr<lifecycle_log> log;
  int n;
};

TEST(supervision, the_next_on_start_runs_only_after_the_old_on_stop_finished) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto log = std::make_shared<lifecycle_log>();
  auto h = system.spawn<hooked>(log);
  EXPECT_EQ(h.ask_blocking(get{}).value(), 1);
  EXPECT_EQ(h.ask_blocking(fail{}).error(), actor_errc::handler_failed);
  EXPECT_EQ(h.ask_blocking(get{}).value(), 2);
  h.stop();
  EXPECT_EQ(h.wait(), exit_reason::normal);
  const std::vector<std::string> expected{"start 1", "stop-begin 1", "stop-end 1",
                                          "start 2", "stop-begin 2", "stop-end 2"};
  EXPECT_EQ(log->snapshot(), expected);
}

TEST(supervision, a_stopped_actor_refuses_tells) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto c = system.spawn<fragile_counter>();
  ASSERT_FALSE(c.tell(inc{}));
  c.stop();
  EXPECT_EQ(c.tell(inc{}), actor_errc::stopped) << "refused as soon as stop() returns";
  EXPECT_EQ(c.wait(), exit_reason::normal);
  EXPECT_EQ(c.tell(inc{}), actor_errc::stopped);
  EXPECT_EQ(c.exit(), exit_reason::normal);
}

}  // namespace
