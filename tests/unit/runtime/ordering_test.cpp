// Per-sender ordering: messages from one sender arrive in the order it sent them, whatever the
// other senders do (issue 2, item 1).
#include "actors/runtime/actor_system.hpp"

#include "tests/unit/runtime/test_support.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <variant>
#include <vector>

namespace {

using namespace troupe::test;

struct tagged {
  std::size_t sender;
  std::uint64_t seq;
};
struct get_report {};
struct report {
  std::uint64_t received = 0;
  std::uint64_t out_of_order = 0;
  std::vector<std::uint64_t> last;
};

// Checks, per sender, that each sequence number is larger than the one before.
struct sequence_checker {
  using message = std::variant<tagged, get_report>;
  explicit sequence_checker(std::size_t senders) { r.last.assign(senders, 0); }
  void handle(tagged m) {
    ++r.received;
    if (m.seq <= r.last[m.sender]) ++r.out_of_order;
    r.last[m.sender] = m.seq;
  }
  report handle(get_report) { return r; }
  report r;
};

TEST(ordering, each_senders_messages_arrive_in_order) {
  watchdog dog(20s);
  troupe::actor_system system(troupe::system_config{.threads = 2});
  constexpr std::size_t senders = 6;
  constexpr std::uint64_t per_sender = 20'000;
  // A small mailbox makes senders hit `mailbox_full` and retry, interleaving them heavily.
  auto checker = system.spawn_with<sequence_checker>(with_capacity(32), senders);

  std::vector<std::thread> threads;
  std::atomic<std::uint64_t> refusals{0};
  for (std::size_t s = 0; s < senders; ++s) {
    threads.emplace_back([&, s] {
      for (std::uint64_t seq = 1; seq <= per_sender; ++seq) {
        for (;;) {
          auto ec = checker.tell(tagged{s, seq});
          if (!ec) break;
          ASSERT_EQ(ec, troupe::actor_errc::mailbox_full);
          refusals.fetch_add(1, std::memory_order_relaxed);
          std::this_thread::yield();
        }
      }
    });
  }
  for (auto& t : threads) t.join();

  auto r = checker.ask_blocking(get_report{});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->received, senders * per_sender);
  EXPECT_EQ(r->out_of_order, 0u);
  for (std::size_t s = 0; s < senders; ++s) EXPECT_EQ(r->last[s], per_sender) << "sender " << s;
  EXPECT_GT(refusals.load(), 0u) << "the mailbox never filled; the test did not interleave senders";
}

}  // namespace
