// Behaviour switch: a door that stays locked until it gets the right key (issue 2, item 4).
#include "actors/runtime/actor_system.hpp"

#include "tests/unit/runtime/test_support.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <variant>

namespace {

using namespace troupe::test;

struct key {
  std::string code;
};
struct push {};
struct lock {};
struct jam {};
struct failed_tries {};

struct door {
  struct locked {
    int failed = 0;
  };
  struct open {};
  using behaviour = std::variant<locked, open>;
  using message = std::variant<key, push, lock, jam, failed_tries>;

  explicit door(std::string secret) : secret(std::move(secret)) {}

  bool handle(locked& s, key k, troupe::actor_context<door>& ctx) {
    if (k.code != secret) {
      ++s.failed;
      return false;
    }
    ctx.become(open{});
    return true;
  }
  bool handle(open&, key) { return true; }

  std::string handle(locked&, push) { return "bump"; }
  std::string handle(open&, push) { return "through"; }

  void handle(locked&, lock) {}
  void handle(open&, lock, troupe::actor_context<door>& ctx) { ctx.become(locked{}); }

  void handle(locked&, jam) { throw std::runtime_error("jammed"); }
  void handle(open&, jam) { throw std::runtime_error("jammed"); }

  int handle(locked& s, failed_tries) { return s.failed; }
  int handle(open&, failed_tries) { return -1; }

  std::string secret;
};

TEST(behaviour, door_opens_only_with_the_right_key) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto d = system.spawn<door>("sesame");
  EXPECT_EQ(d.ask_blocking(push{}).value(), "bump");
  EXPECT_FALSE(d.ask_blocking(key{"wrong"}).value());
  EXPECT_FALSE(d.ask_blocking(key{"also wrong"}).value());
  EXPECT_EQ(d.ask_blocking(failed_tries{}).value(), 2) << "the locked behaviour keeps its state";
  EXPECT_EQ(d.ask_blocking(push{}).value(), "bump");
  EXPECT_TRUE(d.ask_blocking(key{"sesame"}).value());
  EXPECT_EQ(d.ask_blocking(push{}).value(), "through");
  EXPECT_TRUE(d.ask_blocking(key{"anything"}).value()) << "an open door takes any key";
  EXPECT_EQ(d.ask_blocking(failed_tries{}).value(), -1);

  ASSERT_TRUE(d.ask_blocking(lock{}).has_value());
  EXPECT_EQ(d.ask_blocking(push{}).value(), "bump");
  EXPECT_EQ(d.ask_blocking(failed_tries{}).value(), 0) << "become(locked{}) starts a fresh state";
}

TEST(behaviour, become_applies_from_the_next_message_in_order) {
  watchdog dog;
  client c;  // outlives the system: its io threads post to it
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto d = system.spawn<door>("k");
  // Queued back to back: the push right after the key already sees the door open.
  auto opened = c.spawn(d.ask(key{"k"}));
  auto pushed = c.spawn(d.ask(push{}));
  ASSERT_TRUE(c.run_until(opened));
  ASSERT_TRUE(c.run_until(pushed));
  EXPECT_TRUE(opened.get().value());
  EXPECT_EQ(pushed.get().value(), "through");
}

TEST(behaviour, restart_returns_to_the_first_behaviour) {
  watchdog dog;
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto d = system.spawn<door>("k");
  ASSERT_TRUE(d.ask_blocking(key{"k"}).value());
  EXPECT_EQ(d.ask_blocking(jam{}).error(), troupe::actor_errc::handler_failed);
  EXPECT_EQ(d.ask_blocking(push{}).value(), "bump");
}

}  // namespace
