// The kameo README example, in troupe: spawn a counter, ask it to increment, get 42 back.
#include "actors/runtime/actor_system.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <variant>

namespace {

struct inc {
  std::int64_t amount;
};

struct counter {
  using message = std::variant<inc>;
  std::int64_t count = 0;
  std::int64_t handle(inc m) { return count += m.amount; }
};

TEST(kameo_counter, ask_returns_the_new_count) {
  troupe::actor_system system;
  auto actor_ref = system.spawn<counter>();
  auto count = boost::asio::co_spawn(system.io_context(), actor_ref.ask(inc{42}), boost::asio::use_future).get();
  EXPECT_EQ(count.value(), 42);
  EXPECT_EQ(actor_ref.ask_blocking(inc{-2}).value(), 40);
}

}  // namespace
