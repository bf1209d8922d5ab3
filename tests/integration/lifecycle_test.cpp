// The process from outside: graceful SIGTERM, configuration errors and --help as exit codes,
// and the node id from the environment.
#include "tests/integration/support/server_fixture.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

namespace troupe::it {
namespace {

using namespace std::chrono_literals;
namespace websocket = boost::beast::websocket;

class lifecycle_test : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && server_) std::cerr << server_->log();
  }

  watchdog watchdog_{test_limit};
  std::unique_ptr<troupe_process> server_;
};

TEST_F(lifecycle_test, sigterm_closes_websockets_with_1001_and_exits_0) {
  server_ = std::make_unique<troupe_process>();
  ASSERT_TRUE(server_->wait_ready()) << "the server did not become ready";
  ws_client a;
  ws_client b;
  ASSERT_TRUE(a.connect_welcome(server_->port()));
  ASSERT_TRUE(b.connect_welcome(server_->port()));
  ASSERT_TRUE(b.request({{"type", "room.join"}, {"room", "r"}, {"name", "b"}}));

  const auto signalled = std::chrono::steady_clock::now();
  server_->send_signal(SIGTERM);
  for (ws_client* c : {&a, &b}) {
    auto reason = c->read_close();
    ASSERT_TRUE(reason) << reason.error().message();
    EXPECT_EQ(reason->code, websocket::close_code::going_away);
  }
  auto status = server_->wait_exit(5s);
  ASSERT_TRUE(status) << "still running 5 s after SIGTERM";
  EXPECT_EQ(*status, exited(0));
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, 5s);
}

TEST_F(lifecycle_test, sigterm_when_idle_exits_0) {
  server_ = std::make_unique<troupe_process>();
  ASSERT_TRUE(server_->wait_ready());
  auto status = server_->terminate(5s);
  ASSERT_TRUE(status) << "still running 5 s after SIGTERM";
  EXPECT_EQ(*status, exited(0));
}

TEST_F(lifecycle_test, sigint_exits_0) {
  server_ = std::make_unique<troupe_process>();
  ASSERT_TRUE(server_->wait_ready());
  server_->send_signal(SIGINT);
  auto status = server_->wait_exit(5s);
  ASSERT_TRUE(status) << "still running 5 s after SIGINT";
  EXPECT_EQ(*status, exited(0));
}

// Exit status 2 and a message on stderr naming the culprit.
void expect_config_error(troupe_options options, const std::string& culprit) {
  troupe_process p(std::move(options));
  auto status = p.wait_exit(10s);
  ASSERT_TRUE(status) << "still running; " << p.log();
  EXPECT_EQ(*status, exited(2)) << p.log();
  EXPECT_NE(p.stderr_text().find("invalid configuration"), std::string::npos) << p.log();
  EXPECT_NE(p.stderr_text().find(culprit), std::string::npos) << p.log();
}

TEST_F(lifecycle_test, port_out_of_range_exits_2) {
  expect_config_error({{"--port", "70000"}, {}, true}, "70000");
}

TEST_F(lifecycle_test, unknown_flag_exits_2) {
  expect_config_error({{"--port", "8080", "--no-such-flag"}, {}, true}, "--no-such-flag");
}

TEST_F(lifecycle_test, invalid_environment_exits_2) {
  expect_config_error({{}, {{"TROUPE_PORT", "not-a-port"}}, true}, "not-a-port");
}

TEST_F(lifecycle_test, help_exits_0_with_usage_on_stdout) {
  troupe_process p({{"--help"}, {}, true});
  auto status = p.wait_exit(10s);
  ASSERT_TRUE(status) << "still running";
  EXPECT_EQ(*status, exited(0)) << p.log();
  const auto out = p.stdout_text();
  for (const char* flag : {"--port", "--host", "--web-root", "--log-level", "--max-message-bytes",
                           "--node-id", "TROUPE_PORT"})
    EXPECT_NE(out.find(flag), std::string::npos) << flag << " missing from --help:\n" << out;
}

TEST_F(lifecycle_test, node_id_from_the_environment) {
  server_ =
      std::make_unique<troupe_process>(troupe_options{{}, {{"TROUPE_NODE_ID", "env-node"}}, false});
  ASSERT_TRUE(server_->wait_ready());
  auto node = http_get(server_->port(), "/api/node");
  ASSERT_TRUE(node) << node.error().message();
  EXPECT_EQ(json::parse(node->body)["node"], "env-node") << node->body;
  ws_client c;
  auto welcome = c.connect_welcome(server_->port());
  ASSERT_TRUE(welcome) << welcome.error().message();
  EXPECT_EQ((*welcome)["node"], "env-node");
  // A flag beats the environment.
  troupe_process flagged({{"--node-id", "flag-node"}, {{"TROUPE_NODE_ID", "env-node"}}, false});
  ASSERT_TRUE(flagged.wait_ready()) << flagged.log();
  auto flagged_node = http_get(flagged.port(), "/api/node");
  ASSERT_TRUE(flagged_node) << flagged_node.error().message();
  EXPECT_EQ(json::parse(flagged_node->body)["node"], "flag-node") << flagged_node->body;
}

// A server whose stderr nobody reads (a terminal paused with Ctrl-S, a log pipe that backs up)
// keeps serving: only its logging thread waits for the pipe. It still exits on SIGTERM.
TEST_F(lifecycle_test, a_stuck_stderr_stalls_neither_serving_nor_exiting) {
  troupe_options o;
  o.stderr_unread = true;
  server_ = std::make_unique<troupe_process>(o);
  ASSERT_TRUE(server_->wait_ready()) << "the server did not become ready";
  // Every session logs a line as it opens and one as it closes (at info, the harness's level):
  // 800 sessions write over 100 KiB, more than the pipe holds.
  for (int i = 0; i < 800; ++i) {
    ws_client c;
    ASSERT_TRUE(c.connect_welcome(server_->port())) << "session " << i;
    ASSERT_TRUE(c.close()) << "session " << i;
  }
  EXPECT_GE(server_->stderr_unread_bytes(), 60'000u) << "the pipe never filled up";
  auto health = http_get(server_->port(), "/healthz");
  ASSERT_TRUE(health && health->status == 200u);
  ws_client c;
  ASSERT_TRUE(c.connect_welcome(server_->port()));
  EXPECT_TRUE(answers_ping(c));
  ASSERT_TRUE(c.close());
  EXPECT_EQ(server_->terminate(5s), exited(0));
}

// A server whose log reader went away (`troupe 2>&1 | head`, a log shipper that died) serves on:
// a write to its stderr fails instead of raising SIGPIPE, which would end the process. It still
// exits on SIGTERM.
TEST_F(lifecycle_test, a_closed_stderr_does_not_end_the_server) {
  troupe_options o;
  o.stderr_closed = true;
  server_ = std::make_unique<troupe_process>(o);
  ASSERT_TRUE(server_->wait_ready()) << "the server did not become ready: " << server_->log();
  for (int i = 0; i < 3; ++i) {  // each session logs as it opens and closes
    ws_client c;
    ASSERT_TRUE(c.connect_welcome(server_->port())) << "session " << i;
    EXPECT_TRUE(answers_ping(c));
    ASSERT_TRUE(c.close()) << "session " << i;
  }
  auto health = http_get(server_->port(), "/healthz");
  ASSERT_TRUE(health && health->status == 200u);
  EXPECT_EQ(server_->terminate(5s), exited(0));
}

// At shutdown a client that never answers the close frame is dropped once the grace period is
// over, so the server ends every connection itself (while all it needs is still there) and
// exits promptly.
TEST_F(lifecycle_test, a_client_that_never_answers_the_close_is_dropped_after_the_grace_period) {
  server_ =
      std::make_unique<troupe_process>(troupe_options{{"--shutdown-grace-ms", "300"}, {}, false});
  ASSERT_TRUE(server_->wait_ready()) << "the server did not become ready";
  ws_client mute;  // reads its welcome, then nothing: Beast never sees the close frame
  ASSERT_TRUE(mute.connect_welcome(server_->port()));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(server_->terminate(10s), exited(0));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  const std::string out = server_->log();
  EXPECT_NE(out.find("1 connection(s) still open after 300 ms; dropping them"), std::string::npos)
      << out;
  EXPECT_EQ(out.find("did not end when dropped"), std::string::npos) << out;
}

// The grace period may be long; an operator who signals again (Ctrl-C twice) wants out now.
// Two io threads: the exit must not pull logging away from threads still logging as they stop
// (it once did: a crash in about one run of six).
TEST_F(lifecycle_test, a_second_signal_while_stopping_exits_at_once) {
  server_ = std::make_unique<troupe_process>(
      troupe_options{{"--shutdown-grace-ms", "60000", "--threads", "2"}, {}, false});
  ASSERT_TRUE(server_->wait_ready()) << "the server did not become ready";
  ws_client mute;  // never answers the close: the stop would wait out the whole grace period
  ASSERT_TRUE(mute.connect_welcome(server_->port()));
  server_->send_signal(SIGTERM);
  const auto stopping = std::chrono::steady_clock::now() + 5s;
  while (server_->log().find("shutting down") == std::string::npos &&
         std::chrono::steady_clock::now() < stopping)
    std::this_thread::sleep_for(10ms);
  ASSERT_NE(server_->log().find("shutting down"), std::string::npos) << "no stop began";
  EXPECT_FALSE(server_->wait_exit(300ms)) << "the stop did not wait for the open connection";
  server_->send_signal(SIGINT);
  auto status = server_->wait_exit(15s);  // well inside the 60 s grace
  ASSERT_TRUE(status) << "still running 15 s after the second signal";
  EXPECT_EQ(*status, exited(128 + SIGINT));
  EXPECT_NE(server_->log().find("received SIGINT while stopping; exiting now"), std::string::npos);
}

// Two signals at once are one request from two senders (a wrapper that forwards the Ctrl-C its
// terminal also sent, an init and a group kill): the stop stays graceful, and the WebSocket
// still gets its 1001.
TEST_F(lifecycle_test, two_signals_at_once_stop_gracefully) {
  for (int run = 0; run < 5; ++run) {
    SCOPED_TRACE(run);
    troupe_process p({{"--threads", "2"}, {}, false});
    ASSERT_TRUE(p.wait_ready()) << p.log();
    ws_client c;
    ASSERT_TRUE(c.connect_welcome(p.port()));
    p.send_signal(SIGTERM);
    p.send_signal(SIGINT);
    auto reason = c.read_close();
    ASSERT_TRUE(reason) << reason.error().message() << "; " << p.log();
    EXPECT_EQ(reason->code, websocket::close_code::going_away);
    auto status = p.wait_exit(5s);
    ASSERT_TRUE(status) << "still running 5 s after two signals; " << p.log();
    EXPECT_EQ(*status, exited(0)) << p.log();
    EXPECT_NE(p.log().find("taking it as the same request"), std::string::npos) << p.log();
  }
}

// A start-up failure that is not a configuration mistake: status 1 and a message for people,
// without the library's source location.
TEST_F(lifecycle_test, a_port_in_use_exits_1_saying_so) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor taken(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const auto port = std::to_string(taken.local_endpoint().port());
  troupe_process p({{"--host", "127.0.0.1", "--port", port, "--web-root", "web"}, {}, true});
  auto status = p.wait_exit(10s);
  ASSERT_TRUE(status) << "still running; " << p.log();
  EXPECT_EQ(*status, exited(1)) << p.log();
  EXPECT_NE(p.stderr_text().find("troupe could not start: bind: Address already in use"),
            std::string::npos)
      << p.log();
  EXPECT_EQ(p.stderr_text().find("[system:"), std::string::npos) << p.log();
}

}  // namespace
}  // namespace troupe::it
