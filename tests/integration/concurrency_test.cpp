// 50 clients, 1,000 counter.inc each, on one counter: the result is exactly 50,000 and every
// increment saw a distinct value.
#include "tests/integration/support/server_fixture.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <numeric>
#include <thread>
#include <vector>

namespace troupe::it {
namespace {

class concurrency_test : public server_test {};

constexpr int clients = 50;
constexpr int incs_per_client = 1000;
constexpr int window = 25;  // requests in flight per client

// One client's run: its increments' values in order, or the first problem.
struct client_run {
  std::vector<std::int64_t> values;
  std::string problem;
};

void run_client(std::uint16_t port, client_run& out) {
  ws_client c;
  if (auto w = c.connect_welcome(port); !w) {
    out.problem = "connect: " + w.error().message();
    return;
  }
  for (int sent = 0; sent < incs_per_client; sent += window) {
    for (int i = sent; i < sent + window; ++i) {
      if (auto s = c.send_json({{"type", "counter.inc"}, {"id", i}, {"counter", "total"}}); !s) {
        out.problem = "send: " + s.error().message();
        return;
      }
    }
    for (int i = sent; i < sent + window; ++i) {
      auto reply = c.read_json();
      if (!reply) {
        out.problem = "read: " + reply.error().message();
        return;
      }
      if ((*reply)["type"] != "counter.value" || (*reply)["id"] != i ||
          (*reply)["counter"] != "total" || !(*reply)["value"].is_number_integer()) {
        out.problem = "unexpected reply " + reply->dump() + " to request " + std::to_string(i);
        return;
      }
      out.values.push_back((*reply)["value"].get<std::int64_t>());
    }
  }
}

TEST_F(concurrency_test, fifty_clients_increment_one_counter_to_exactly_50000) {
  std::vector<client_run> runs(clients);
  {
    std::vector<std::jthread> threads;
    for (auto& run : runs) threads.emplace_back([this, &run] { run_client(port(), run); });
  }
  std::vector<std::int64_t> all;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    ASSERT_EQ(runs[i].problem, "") << "client " << i;
    ASSERT_EQ(runs[i].values.size(), static_cast<std::size_t>(incs_per_client)) << "client " << i;
    // A client's own increments are applied in the order it sent them.
    EXPECT_TRUE(std::is_sorted(runs[i].values.begin(), runs[i].values.end()) &&
                std::adjacent_find(runs[i].values.begin(), runs[i].values.end()) ==
                    runs[i].values.end())
        << "client " << i << " saw its values out of order";
    all.insert(all.end(), runs[i].values.begin(), runs[i].values.end());
  }
  // Each increment got its own value: together they are exactly 1..50000.
  std::sort(all.begin(), all.end());
  std::vector<std::int64_t> expected(clients * incs_per_client);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_TRUE(all == expected) << "the values seen are not exactly 1.." << expected.size();

  auto c = connect();
  EXPECT_TRUE(next_frame_is_reply(
      *c, {{"type", "counter.get"}, {"id", "final"}, {"counter", "total"}},
      {{"type", "counter.value"}, {"id", "final"}, {"counter", "total"}, {"value", 50000}}));
  auto http = http_get(port(), "/api/counters/total");
  ASSERT_TRUE(http) << http.error().message();
  EXPECT_EQ(http->status, 200u);
  EXPECT_EQ(json::parse(http->body), json({{"counter", "total"}, {"value", 50000}}));
}

}  // namespace
}  // namespace troupe::it
