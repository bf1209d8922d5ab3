// Stress: many senders, one counter, nothing lost (issue 2, item 12).
#include "actors/runtime/actor_system.hpp"

#include "tests/unit/runtime/test_support.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <thread>
#include <variant>
#include <vector>

namespace {

using namespace troupe::test;

struct inc {};
struct total {};

struct counter {
  using message = std::variant<inc, total>;
  void handle(inc) { ++n; }
  std::uint64_t handle(total) { return n; }
  std::uint64_t n = 0;
};

// Sends `count` incs, awaiting room whenever the mailbox is full; returns the first error.
boost::asio::awaitable<boost::system::error_code> send_many(troupe::actor_ref<counter> c,
                                                            std::uint64_t count) {
  for (std::uint64_t i = 0; i < count; ++i) {
    if (auto ec = co_await c.send(inc{})) co_return ec;
  }
  co_return boost::system::error_code{};
}

TEST(stress, eight_senders_lose_no_message) {
  watchdog dog(60s);
  constexpr int senders = 8;
  constexpr std::uint64_t per_sender = 100'000;
  // Each sender is a coroutine on an io_context of its own thread. They outlive the system: the
  // actor's thread wakes a waiting sender by posting to its io_context, and may still be inside
  // that post when the sender, woken, finishes and its thread ends.
  std::vector<boost::asio::io_context> sender_io(senders);
  troupe::actor_system system(troupe::system_config{.threads = 2});
  auto c = system.spawn<counter>();  // default capacity: senders will wait for room

  std::vector<boost::system::error_code> errors(senders);
  std::vector<std::thread> threads;
  for (int s = 0; s < senders; ++s) {
    threads.emplace_back([&, s] {
      auto& io = sender_io[s];
      boost::asio::co_spawn(io, send_many(c, per_sender),
                            [&errors, s](std::exception_ptr e, boost::system::error_code ec) {
                              if (e) ec = make_error_code(boost::system::errc::io_error);
                              errors[s] = ec;
                            });
      io.run();
    });
  }
  for (auto& t : threads) t.join();
  for (int s = 0; s < senders; ++s)
    EXPECT_FALSE(errors[s]) << "sender " << s << ": " << errors[s].message();

  auto r = c.ask_blocking(total{}, 10s);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(*r, senders * per_sender);
}

}  // namespace
