// A full mailbox refuses tell with mailbox_full, and `co_await send` waits for room instead
// (issue 2, item 3).
#include "actors/runtime/actor_system.hpp"

#include "tests/unit/runtime/test_support.hpp"

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <variant>

namespace {

using namespace troupe::test;
using troupe::actor_errc;

struct hold {
  std::shared_ptr<async_gate> gate;
  event entered;
};
struct item {};
struct count_items {};
struct note {
  std::string text;
};
struct last_note {};

struct sink {
  using message = std::variant<hold, item, count_items, note, last_note>;
  boost::asio::awaitable<void> handle(hold m) {
    m.entered.fire();
    co_await m.gate->async_wait(boost::asio::use_awaitable);
  }
  void handle(item) { ++items; }
  int handle(count_items) { return items; }
  void handle(note m) { noted = std::move(m.text); }
  std::string handle(last_note) { return noted; }
  int items = 0;
  std::string noted;
};

constexpr std::size_t capacity = 4;

// A sink held inside a handler with an empty mailbox of `capacity`.
struct held_sink {
  explicit held_sink(troupe::actor_system& system)
      : ref(system.spawn_with<sink>(with_capacity(capacity))) {
    event entered;
    EXPECT_FALSE(ref.tell(hold{gate, entered}));
    EXPECT_TRUE(entered.wait());
  }
  troupe::actor_ref<sink> ref;
  std::shared_ptr<async_gate> gate = std::make_shared<async_gate>();
};

TEST(backpressure, tell_to_a_full_mailbox_is_refused) {
  watchdog dog;
  client c;  // outlives the system: its io threads post to it
  troupe::actor_system system(troupe::system_config{.threads = 2});
  held_sink held(system);
  for (std::size_t i = 0; i < capacity; ++i) EXPECT_FALSE(held.ref.tell(item{})) << "item " << i;
  EXPECT_EQ(held.ref.tell(item{}), actor_errc::mailbox_full);
  EXPECT_EQ(held.ref.tell(item{}), actor_errc::mailbox_full);
  // An ask is refused the same way, at once.
  auto refused = c.spawn(held.ref.ask(count_items{}));
  ASSERT_TRUE(c.run_until(refused));
  EXPECT_EQ(refused.get().error(), actor_errc::mailbox_full);

  held.gate->open();
  // The mailbox stays full until the sink takes its next batch; an ask must wait for that.
  client drain;
  auto count = drain.spawn(held.ref.send(count_items{}));  // orders the count after the items
  ASSERT_TRUE(drain.run_until(count));
  ASSERT_FALSE(count.get());
  EXPECT_EQ(held.ref.ask_blocking(count_items{}).value(), static_cast<int>(capacity))
      << "refused messages must not be delivered";
}

TEST(backpressure, send_waits_for_room_then_succeeds) {
  watchdog dog;
  client c;  // outlives the system: its io threads post to it
  troupe::actor_system system(troupe::system_config{.threads = 2});
  held_sink held(system);
  for (std::size_t i = 0; i < capacity; ++i) ASSERT_FALSE(held.ref.tell(item{}));

  auto sent = c.spawn(held.ref.send(item{}));
  c.poll();
  EXPECT_NE(sent.wait_for(0s), std::future_status::ready) << "send did not wait for room";

  held.gate->open();  // the sink drains its mailbox, making room
  ASSERT_TRUE(c.run_until(sent));
  EXPECT_FALSE(sent.get());
  EXPECT_EQ(held.ref.ask_blocking(count_items{}).value(), static_cast<int>(capacity) + 1);
}

TEST(backpressure, send_waiting_for_room_fails_when_the_actor_stops) {
  watchdog dog;
  client c;  // outlives the system: its io threads post to it
  troupe::actor_system system(troupe::system_config{.threads = 2});
  held_sink held(system);
  for (std::size_t i = 0; i < capacity; ++i) ASSERT_FALSE(held.ref.tell(item{}));
  auto sent = c.spawn(held.ref.send(item{}));
  c.poll();
  ASSERT_NE(sent.wait_for(0s), std::future_status::ready);
  held.ref.stop();
  ASSERT_TRUE(c.run_until(sent));
  EXPECT_EQ(sent.get(), actor_errc::stopped);
  held.gate->open();
  EXPECT_EQ(held.ref.wait(), troupe::exit_reason::normal);
}

TEST(backpressure, try_tell_keeps_a_refused_message_to_retry_when_there_is_room) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  held_sink held(system);
  for (std::size_t i = 0; i < capacity; ++i) ASSERT_FALSE(held.ref.tell(item{}));

  note n{"kept for the retry"};
  EXPECT_EQ(held.ref.try_tell(n), actor_errc::mailbox_full);
  EXPECT_EQ(n.text, "kept for the retry") << "a refused message is given back intact";
  std::promise<void> room;
  auto has_room = room.get_future();
  held.ref.async_wait_room([&room] { room.set_value(); });
  EXPECT_EQ(has_room.wait_for(50ms), std::future_status::timeout)
      << "no room while the sink is held";

  held.gate->open();  // the sink takes its queued batch, making room
  ASSERT_EQ(has_room.wait_for(10s), std::future_status::ready);
  EXPECT_FALSE(held.ref.try_tell(n));
  EXPECT_EQ(held.ref.ask_blocking(last_note{}).value(), "kept for the retry");
}

}  // namespace
