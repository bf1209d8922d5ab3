// Running out of room: at the configured connection limit (--max-connections) and when the process
// runs out of file descriptors, a new connection is answered 503 with a JSON body and closed, the
// server says so in its log, the connections it has keep being served, and it takes new ones again
// once some close. An accept the kernel fails for another reason is retried after a pause.
#include "tests/integration/support/http_client.hpp"
#include "tests/integration/support/raw_connection.hpp"
#include "tests/integration/support/server_fixture.hpp"

#include <cerrno>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace troupe::it {
namespace {

using namespace std::chrono_literals;

using clients = std::vector<std::unique_ptr<ws_client>>;

// A client that has read its welcome, or null if the server turned it away.
std::unique_ptr<ws_client> try_connect(std::uint16_t port) {
  auto c = std::make_unique<ws_client>();
  if (!c->connect_welcome(port)) return nullptr;
  return c;
}

// try_connect until it succeeds or `limit` passes (a closed connection frees its slot only once
// the server has finished with it).
std::unique_ptr<ws_client> connect_within(std::uint16_t port, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (auto c = try_connect(port)) return c;
    if (std::chrono::steady_clock::now() > until) return nullptr;
    std::this_thread::sleep_for(50ms);
  }
}

// The reply is 503 with Retry-After and a JSON error "unavailable" whose message mentions `why`.
::testing::AssertionResult is_unavailable(const result<http_reply>& reply, std::string_view why) {
  if (!reply) return ::testing::AssertionFailure() << "no reply: " << reply.error().message();
  if (reply->status != 503u) return ::testing::AssertionFailure() << "status " << reply->status;
  if (reply->header("retry-after") != "1")
    return ::testing::AssertionFailure() << "Retry-After '" << reply->header("retry-after") << "'";
  const json body = json::parse(reply->body, nullptr, false);
  if (body.is_discarded() || !body.contains("error") || body["error"]["code"] != "unavailable" ||
      !body["error"]["message"].is_string() ||
      body["error"]["message"].get<std::string>().find(why) == std::string::npos)
    return ::testing::AssertionFailure() << "body " << reply->body;
  return ::testing::AssertionSuccess();
}

class connection_limit_test : public server_test {
 protected:
  troupe_options options() const override { return {{"--max-connections", "3"}, {}, false}; }
};

TEST_F(connection_limit_test, the_connection_over_the_limit_gets_503_and_the_others_are_served) {
  clients open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(connect_within(port(), 3s));  // the readiness probe may still hold a slot
    ASSERT_TRUE(open.back()) << "client " << i << " was not let in";
  }
  EXPECT_TRUE(is_unavailable(http_get(port(), "/healthz"), "connection limit"));
  EXPECT_FALSE(try_connect(port())) << "a WebSocket over the limit was let in";
  for (auto& c : open) EXPECT_TRUE(answers_ping(*c)) << "a connection inside the limit suffered";

  // One leaves: a newcomer gets its place, and the limit holds again after that.
  ASSERT_TRUE(open.back()->close());
  open.back() = connect_within(port(), 5s);
  ASSERT_TRUE(open.back()) << "the freed slot was never given out";
  EXPECT_TRUE(is_unavailable(http_get(port(), "/healthz"), "connection limit"));

  ASSERT_TRUE(open.back()->close());
  open.pop_back();
  result<http_reply> metrics = http_get(port(), "/metrics");
  for (int tries = 0; tries < 100 && metrics && metrics->status == 503u; ++tries) {
    std::this_thread::sleep_for(50ms);
    metrics = http_get(port(), "/metrics");
  }
  ASSERT_TRUE(metrics && metrics->status == 200u) << "no metrics once a slot was free";
  EXPECT_GE(prometheus_sample(metrics->body, "troupe_connections_refused_total"), 3);
  EXPECT_TRUE(server().output_shows("refusing connections with 503")) << server().log();
}

// With 1 and 2 io threads.
class descriptor_limit_test : public server_test, public ::testing::WithParamInterface<int> {
 protected:
  // A few dozen descriptors: the server runs out long before its connection limit (19000).
  troupe_options options() const override {
    troupe_options o{{"--threads", std::to_string(GetParam())}, {}, false};
    o.open_files = 64;
    return o;
  }
};

TEST_P(descriptor_limit_test,
       out_of_descriptors_new_connections_get_503_and_the_others_are_served) {
  EXPECT_TRUE(
      server().output_shows("the file descriptor limit (64) is below server.max_connections"))
      << server().log();
  clients open;
  while (open.size() < 200) {
    auto c = try_connect(port());
    if (!c) break;
    open.push_back(std::move(c));
  }
  ASSERT_LT(open.size(), 64u) << "the server never ran out of descriptors";
  ASSERT_GT(open.size(), 32u) << "the server ran out of descriptors too early";
  EXPECT_TRUE(is_unavailable(http_get(port(), "/healthz"), "file descriptors"));
  EXPECT_TRUE(is_unavailable(http_get(port(), "/healthz"), "file descriptors"))
      << "the second refusal (the spare descriptor must be back)";
  for (auto& c : open) EXPECT_TRUE(answers_ping(*c)) << "a connection it had suffered";
  EXPECT_TRUE(server().output_shows("out of file descriptors")) << server().log();

  // Some leave: newcomers get in, and work.
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(open.back()->close());
    open.pop_back();
  }
  auto newcomer = connect_within(port(), 5s);
  ASSERT_TRUE(newcomer) << "no connection was let in after others closed";
  EXPECT_TRUE(answers_ping(*newcomer));
  EXPECT_TRUE(server().running());
}

INSTANTIATE_TEST_SUITE_P(io_threads, descriptor_limit_test, ::testing::Values(1, 2));

// The CPU time (user and system) process `pid` has used so far, in seconds.
double cpu_seconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string field;
  std::getline(stat, field, ')');               // past "pid (comm)", whose name may hold spaces
  for (int i = 3; i <= 13; ++i) stat >> field;  // state ... cmajflt
  long long user = 0, system = 0;
  stat >> user >> system;
  return static_cast<double>(user + system) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// When the kernel fails every accept (short of memory, or a security module says no), the
// listener retries after a pause instead of spinning on its io thread, logs it at most once a
// second, and the server still shuts down cleanly.
TEST(accept_failure, a_failing_accept_is_retried_without_spinning_and_logged_once_a_second) {
  watchdog guard(test_limit);
  troupe_options options;
  options.args = {"--threads", "1"};
  options.refuse_accept = ENOMEM;
  troupe_process server(options);
  ASSERT_TRUE(server.output_shows("accept failed", 10s)) << server.log();
  raw_connection waiting(server.port());  // the kernel queues it; the server cannot take it
  ASSERT_TRUE(waiting.connected());

  const double before = cpu_seconds(server.pid());
  std::this_thread::sleep_for(2s);
  const double used = cpu_seconds(server.pid()) - before;
  EXPECT_LT(used, 0.5) << "the accept loop spins: " << used << " s of CPU in 2 s";
  const auto log = server.stderr_text();
  std::size_t lines = 0;
  for (auto at = log.find("accept failed"); at != std::string::npos;
       at = log.find("accept failed", at + 1))
    ++lines;
  EXPECT_GE(lines, 2u) << "it keeps trying, and says so each second\n" << log;
  EXPECT_LE(lines, 5u) << "about one line a second over some 3 s\n" << log;
  EXPECT_NE(log.find("Cannot allocate memory"), std::string::npos) << log;

  const auto status = server.terminate(10s);
  ASSERT_TRUE(status) << server.log();
  EXPECT_EQ(*status, exited(0)) << server.log();
}

}  // namespace
}  // namespace troupe::it
