#include "actors/counter_actor.hpp"

#include "actors/directory.hpp"
#include "tests/unit/actors/domain_test.hpp"
#include "tests/unit/actors/scripted_store.hpp"
#include "tests/unit/runtime/test_support.hpp"

#include <limits>

namespace troupe {
namespace {

class counter_actor_test : public domain_test {};

TEST_F(counter_actor_test, inc_adds_and_get_reads) {
  auto c = system_.spawn<counter_actor>(std::string("hits"), std::cref(env_));
  EXPECT_EQ(c.ask_blocking(counter_actor::inc{5})->value, 5);
  EXPECT_EQ(c.ask_blocking(counter_actor::inc{-7})->value, -2);
  EXPECT_EQ(c.ask_blocking(counter_actor::get{}).value(), -2);
  EXPECT_EQ(store_.load_counter("hits"), -2);
}

TEST_F(counter_actor_test, overflow_is_refused_not_wrapped) {
  ASSERT_FALSE(store_.save_counter("big", std::numeric_limits<std::int64_t>::max() - 1));
  auto c = system_.spawn<counter_actor>(std::string("big"), std::cref(env_));
  auto ok = c.ask_blocking(counter_actor::inc{1});
  EXPECT_FALSE(ok->overflow);
  EXPECT_EQ(ok->value, std::numeric_limits<std::int64_t>::max());
  auto refused = c.ask_blocking(counter_actor::inc{1});
  EXPECT_TRUE(refused->overflow);
  EXPECT_EQ(refused->value, std::numeric_limits<std::int64_t>::max());
  ASSERT_FALSE(store_.save_counter("small", std::numeric_limits<std::int64_t>::min()));
  auto s = system_.spawn<counter_actor>(std::string("small"), std::cref(env_));
  EXPECT_TRUE(s.ask_blocking(counter_actor::inc{-1})->overflow);
}

TEST_F(counter_actor_test, state_survives_a_new_incarnation_through_the_store) {
  auto first = system_.spawn<counter_actor>(std::string("kept"), std::cref(env_));
  EXPECT_EQ(first.ask_blocking(counter_actor::inc{41})->value, 41);
  first.stop();
  EXPECT_EQ(first.wait(), exit_reason::normal);
  auto second = system_.spawn<counter_actor>(std::string("kept"), std::cref(env_));
  EXPECT_EQ(second.ask_blocking(counter_actor::inc{1})->value, 42);
}

TEST_F(counter_actor_test, watchers_get_every_change_once_encoded) {
  auto c = system_.spawn<counter_actor>(std::string("w"), std::cref(env_));
  auto a = std::make_shared<outbox>(16);
  auto b = std::make_shared<outbox>(16);
  EXPECT_EQ(c.ask_blocking(counter_actor::watch{"a", a, 1}).value(), 0);
  EXPECT_EQ(c.ask_blocking(counter_actor::watch{"b", b, "b"}).value(), 0);
  // The counter answers a watch in the watcher's outbox itself, ahead of every push.
  EXPECT_EQ(drain(*a),
            std::vector<nlohmann::json>{nlohmann::json(
                {{"type", "counter.value"}, {"id", 1}, {"counter", "w"}, {"value", 0}})});
  EXPECT_EQ(drain(*b),
            std::vector<nlohmann::json>{nlohmann::json(
                {{"type", "counter.value"}, {"id", "b"}, {"counter", "w"}, {"value", 0}})});
  c.ask_blocking(counter_actor::inc{3}).value();
  std::vector<frame> fa, fb;
  ASSERT_TRUE(a->queue().take(fa));
  ASSERT_TRUE(b->queue().take(fb));
  ASSERT_EQ(fa.size(), 1u);
  ASSERT_EQ(fb.size(), 1u);
  EXPECT_EQ(fa[0].get(), fb[0].get()) << "a broadcast is encoded once and shared";
  auto j = nlohmann::json::parse(fa[0]->text());
  EXPECT_EQ(j, (nlohmann::json{{"type", "counter.value"}, {"counter", "w"}, {"value", 3}}));

  // An increment by 0 changes nothing, so it pushes nothing.
  EXPECT_EQ(c.ask_blocking(counter_actor::inc{0}).value().value, 3);
  EXPECT_TRUE(drain(*a).empty());
  EXPECT_TRUE(drain(*b).empty());

  EXPECT_TRUE(c.ask_blocking(counter_actor::unwatch{"a"}).value());
  EXPECT_FALSE(c.ask_blocking(counter_actor::unwatch{"a"}).value());
  c.ask_blocking(counter_actor::inc{1}).value();
  EXPECT_TRUE(drain(*a).empty());
  auto pushed = drain(*b);
  ASSERT_EQ(pushed.size(), 1u);
  EXPECT_EQ(pushed[0]["value"], 4);
}

TEST_F(counter_actor_test, a_watcher_whose_session_is_gone_is_dropped) {
  auto c = system_.spawn<counter_actor>(std::string("gone"), std::cref(env_));
  auto a = std::make_shared<outbox>(16);
  c.ask_blocking(counter_actor::watch{"a", a, {}}).value();
  a.reset();
  c.ask_blocking(counter_actor::inc{1}).value();
  // Dropped: unwatch finds nothing to remove.
  EXPECT_FALSE(c.ask_blocking(counter_actor::unwatch{"a"}).value());
}

TEST_F(counter_actor_test, unwatched_counter_passivates_when_idle_and_watched_one_stays) {
  env_.idle_timeout = std::chrono::milliseconds(50);
  auto idle = system_.spawn<counter_actor>(std::string("idle"), std::cref(env_));
  auto watched = system_.spawn<counter_actor>(std::string("watched"), std::cref(env_));
  auto out = std::make_shared<outbox>(4);
  watched.ask_blocking(counter_actor::watch{"s", out, {}}).value();
  EXPECT_EQ(idle.wait(), exit_reason::normal);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // three idle periods
  EXPECT_FALSE(watched.exit().has_value());
}

// The store may forget a counter's value while the counter is open (its least recently used); the
// counter puts it back when it passivates, so an open counter's value is never lost.
TEST_F(counter_actor_test, a_value_the_store_forgot_while_open_is_stored_again_on_passivation) {
  memory_store small{10, 1};
  env_.store = &small;
  // a must not passivate before b has been increased: the three asks between get half a second.
  env_.idle_timeout = std::chrono::milliseconds(500);
  auto a = system_.spawn<counter_actor>(std::string("a"), std::cref(env_));
  EXPECT_EQ(a.ask_blocking(counter_actor::inc{5})->value, 5);
  auto b = system_.spawn<counter_actor>(std::string("b"), std::cref(env_));
  auto watcher = std::make_shared<outbox>(16);
  b.ask_blocking(counter_actor::watch{"s", watcher, {}}).value();  // keeps b open
  EXPECT_EQ(b.ask_blocking(counter_actor::inc{1})->value, 1);
  EXPECT_EQ(small.load_counter("a"), 0) << "the store keeps one counter: it forgot a";

  EXPECT_EQ(a.wait(), exit_reason::normal);
  EXPECT_EQ(small.load_counter("a"), 5) << "a put its value back as it passivated";
  EXPECT_EQ(small.load_counter("b"), 0) << "which made the store forget b, still open";
  EXPECT_EQ(b.ask_blocking(counter_actor::get{}).value(), 1);
  EXPECT_TRUE(b.ask_blocking(counter_actor::unwatch{"s"}).value());
  EXPECT_EQ(b.wait(), exit_reason::normal);
  auto again = system_.spawn<counter_actor>(std::string("b"), std::cref(env_));
  EXPECT_EQ(again.ask_blocking(counter_actor::get{}).value(), 1) << "b's value was put back too";
  system_.shutdown();  // while `small` lives: a counter saves its value as it stops
}

// An inc or watch whose ask timed out before the counter handled it changes nothing.
TEST_F(counter_actor_test, asks_that_timed_out_before_the_counter_handled_them_change_nothing) {
  auto c = system_.spawn<counter_actor>(std::string("slow"), std::cref(env_));
  auto alice = std::make_shared<outbox>(16);
  auto& asker = asker_;
  std::future<result<counter_actor::value_reply>> inc;
  std::future<result<std::int64_t>> watch;
  {
    io_threads_held hold(system_);
    inc = asker.spawn(c.ask(counter_actor::inc{5}, std::chrono::milliseconds(30)));
    watch =
        asker.spawn(c.ask(counter_actor::watch{"s-a", alice, {}}, std::chrono::milliseconds(30)));
    EXPECT_TRUE(asker.run_until(inc));
    EXPECT_TRUE(asker.run_until(watch));
  }
  ASSERT_TRUE(asker.run_until(inc) && asker.run_until(watch));
  EXPECT_EQ(inc.get().error(), actor_errc::timeout);
  EXPECT_EQ(watch.get().error(), actor_errc::timeout);
  EXPECT_EQ(c.ask_blocking(counter_actor::inc{1})->value, 1) << "the timed-out inc did not count";
  EXPECT_TRUE(drain(*alice).empty()) << "the timed-out watch did not take effect";
}

// A watcher who vanished while nothing reached the counter (its unwatch refused) does not keep it
// open for good.
TEST_F(counter_actor_test, watchers_who_vanished_unheard_do_not_keep_the_counter_open) {
  env_.idle_timeout = std::chrono::milliseconds(50);
  auto c = system_.spawn<counter_actor>(std::string("haunted"), std::cref(env_));
  auto alice = std::make_shared<outbox>(16);
  c.ask_blocking(counter_actor::watch{"s-a", alice, {}}).value();
  EXPECT_FALSE(stops_within(c, std::chrono::milliseconds(200))) << "a watched counter stays open";
  alice.reset();
  EXPECT_TRUE(stops_within(c, std::chrono::seconds(5)));
  EXPECT_EQ(c.exit(), exit_reason::normal);
}

// Counters over a store the test scripts; the system stops before the store goes (a counter
// saves its value as it stops).
class counter_store_test : public domain_test {
 protected:
  counter_store_test() { env_.store = &scripted_; }
  ~counter_store_test() override {
    scripted_.release();
    system_.shutdown();
  }

  test::scripted_store scripted_;
};

// A failed save changes nothing: the client is told the inc failed, so the value must not move,
// nothing is pushed, and the counter keeps its watchers (it is not restarted, which would lose
// them).
TEST_F(counter_store_test, an_inc_the_store_fails_to_save_changes_nothing_and_keeps_the_watchers) {
  auto c = system_.spawn<counter_actor>(std::string("c"), std::cref(env_));
  auto alice = std::make_shared<outbox>(16);
  c.ask_blocking(counter_actor::watch{"s-a", alice, {}}).value();
  EXPECT_EQ(c.ask_blocking(counter_actor::inc{5})->value, 5);
  EXPECT_EQ(drain(*alice).size(), 2u);  // the watch's value, then the push of 5

  scripted_.script(test::scripted_store::next_save::fails);
  auto failed = c.ask_blocking(counter_actor::inc{1});
  ASSERT_TRUE(failed) << failed.error().message();
  EXPECT_EQ(failed->store_error, test::scripted_store::failure());
  EXPECT_EQ(failed->value, 5);
  EXPECT_TRUE(drain(*alice).empty()) << "nothing changed, so nothing is pushed";
  EXPECT_EQ(c.ask_blocking(counter_actor::get{}).value(), 5);
  EXPECT_EQ(scripted_.load_counter("c"), 5);

  auto next = c.ask_blocking(counter_actor::inc{2});
  ASSERT_TRUE(next) << next.error().message();
  EXPECT_FALSE(next->store_error);
  EXPECT_EQ(next->value, 7);
  EXPECT_EQ(drain(*alice), std::vector<nlohmann::json>{nlohmann::json(
                               {{"type", "counter.value"}, {"counter", "c"}, {"value", 7}})})
      << "the watcher is still there";
  EXPECT_EQ(c.core()->info().restarts, 0u);
}

// An inc that reaches a counter as it passivates goes to a fresh copy, which must not open before
// the old one has stored its value: else the old one's last save lands after the new one's, and
// the inc is lost.
TEST_F(counter_store_test, a_counter_reopened_as_the_old_one_closes_counts_on_from_its_value) {
  env_.idle_timeout = std::chrono::milliseconds(50);
  directory dir(system_, env_);
  auto first = asker_.spawn(dir.ask_counter("c", counter_actor::inc{1}));
  ASSERT_TRUE(asker_.run_until(first));
  ASSERT_EQ(first.get()->value, 1);
  scripted_.script(test::scripted_store::next_save::waits);  // the save of its on_stop
  ASSERT_TRUE(scripted_.wait_held(std::chrono::seconds(5))) << "the counter did not passivate";

  auto second = asker_.spawn(dir.ask_counter("c", counter_actor::inc{1}));
  const bool answered_while_held = asker_.run_until(second, std::chrono::milliseconds(200));
  scripted_.release();
  ASSERT_TRUE(asker_.run_until(second));
  EXPECT_FALSE(answered_while_held) << "a fresh copy opened before the old one stored its value";
  auto r = second.get();
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->value, 2);
  EXPECT_EQ(scripted_.load_counter("c"), 2);
}

}  // namespace
}  // namespace troupe
