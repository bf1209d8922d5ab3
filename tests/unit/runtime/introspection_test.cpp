// system.actors(): name, kind, mailbox depth, handled count and restarts (issue 2, item 9).
#include "actors/runtime/actor_system.hpp"

#include "tests/unit/runtime/test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <variant>

namespace {

using namespace troupe::test;

struct noop {};
struct fail {};
struct hold {
  std::shared_ptr<async_gate> gate;
  event entered;
};

struct inspected {
  using message = std::variant<noop, fail, hold>;
  static constexpr const char* kind = "inspected";
  void handle(noop) {}
  void handle(fail) { throw std::runtime_error("injected failure"); }
  boost::asio::awaitable<void> handle(hold m) {
    m.entered.fire();
    co_await m.gate->async_wait(boost::asio::use_awaitable);
  }
};

struct anonymous {
  using message = std::variant<noop>;
  void handle(noop) {}
};

std::optional<troupe::actor_info> info_of(troupe::actor_system& system, std::uint64_t id) {
  for (auto& a : system.actors())
    if (a.id == id) return a;
  return std::nullopt;
}

TEST(introspection, actors_lists_name_kind_depth_handled_and_restarts) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto a = system.spawn_with<inspected>(named("watched", 16));
  auto b = system.spawn<anonymous>();

  ASSERT_TRUE(a.ask_blocking(noop{}).has_value());
  ASSERT_TRUE(a.ask_blocking(noop{}).has_value());
  ASSERT_EQ(a.ask_blocking(fail{}).error(), troupe::actor_errc::handler_failed);
  // Held inside a handler: everything before it is fully accounted for, nothing after it runs.
  auto gate = std::make_shared<async_gate>();
  event entered;
  ASSERT_FALSE(a.tell(hold{gate, entered}));
  ASSERT_TRUE(entered.wait());
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(a.tell(noop{}));

  auto info = info_of(system, a.id());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->name, "watched");
  EXPECT_EQ(info->kind, "inspected");
  EXPECT_EQ(info->mailbox_capacity, 16u);
  EXPECT_EQ(info->handled, 3u);
  EXPECT_EQ(info->restarts, 1u);
  // Five queued plus the one being handled: nothing accepted and unfinished is invisible.
  EXPECT_EQ(info->mailbox_depth, 6u);
  EXPECT_EQ(a.mailbox_depth(), 6u);

  auto anon = info_of(system, b.id());
  ASSERT_TRUE(anon.has_value());
  EXPECT_TRUE(anon->name.empty());
  EXPECT_FALSE(anon->kind.empty()) << "the C++ type stands in for a missing kind";
  EXPECT_EQ(anon->mailbox_capacity, system.config().mailbox_capacity);
  EXPECT_EQ(system.actors().size(), 2u);

  gate->open();
  ASSERT_TRUE(a.ask_blocking(noop{}).has_value());
  info = info_of(system, a.id());
  ASSERT_TRUE(info.has_value());
  EXPECT_GE(info->handled, 9u);  // the last ask's own count may land just after its reply
  EXPECT_LE(info->mailbox_depth, 1u);

  a.stop();
  ASSERT_EQ(a.wait(), troupe::exit_reason::normal);
  // The actor leaves the listing just after its joiners are told (terminate posts to them first,
  // so that no post can reach an io_context a finished shutdown is destroying).
  for (int i = 0; i < 200 && system.live_count() > 1u; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(info_of(system, a.id()).has_value()) << "a stopped actor is no longer listed";
  EXPECT_EQ(system.live_count(), 1u);
}

TEST(introspection, depth_counts_a_batch_taken_but_not_yet_handled) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto a = system.spawn<inspected>();
  auto gate = std::make_shared<async_gate>();
  event entered;
  // Queued together, so the actor may take them all in one batch before it blocks.
  ASSERT_FALSE(a.tell(hold{gate, entered}));
  for (int i = 0; i < 4; ++i) ASSERT_FALSE(a.tell(noop{}));
  ASSERT_TRUE(entered.wait());
  EXPECT_EQ(a.mailbox_depth(), 5u);
  gate->open();
  EXPECT_TRUE(a.ask_blocking(noop{}).has_value());
}

}  // namespace
