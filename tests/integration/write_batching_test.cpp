// The writer sends a batch of queued frames in one gather write, straight from the socket's send
// queue (in its io thread's batched io_uring submission), and waits for the socket only when it
// is full. These bursts make batches form and check that nothing is lost, reordered or
// corrupted, that control frames still go out right (pongs answer pings sent in the middle of a
// burst), and that a client that stops reading gets what was queued for it and then 1013, never
// a data frame after the close (also when what overflows is bytes, not frames). Each test runs
// with one io thread and with two (where a room's thread pushes to sessions on the other one).
#include "tests/integration/support/http_client.hpp"
#include "tests/integration/support/server_fixture.hpp"

#include <boost/beast/websocket/rfc6455.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace troupe::it {
namespace {

namespace websocket = boost::beast::websocket;

class write_batching_test : public server_test, public ::testing::WithParamInterface<int> {
 protected:
  troupe_options options() const override {
    return {{"--threads", std::to_string(GetParam())}, {}, false};
  }
  static constexpr int outbound_queue = 1024;  // the default limits.outbound_queue
};

constexpr int burst = 600;

TEST_P(write_batching_test, a_burst_of_replies_arrives_whole_and_in_order_with_pongs_between) {
  auto c = connect();
  int pings = 0;
  for (int i = 0; i < burst; ++i) {
    // Payloads of growing size, so frame boundaries fall anywhere in a gather write.
    ASSERT_TRUE(c->send_json(
        {{"type", "echo"}, {"id", i}, {"payload", std::string(i % 300, 'a' + i % 26)}}));
    if (i % 100 == 50) {
      ASSERT_TRUE(c->send_ping(numbered("p", pings)));
      ++pings;
    }
  }
  for (int i = 0; i < burst; ++i) {
    auto reply = c->read_json();
    ASSERT_TRUE(reply) << "reply " << i << ": " << reply.error().message();
    ASSERT_EQ((*reply)["type"], "echo") << *reply;
    ASSERT_EQ((*reply)["id"], i) << *reply;
    ASSERT_EQ((*reply)["payload"], std::string(i % 300, 'a' + i % 26));
  }
  // Pongs are read with the data frames; the last ones may still be on their way.
  EXPECT_TRUE(answers_ping(*c));
  ASSERT_EQ(c->pongs().size(), static_cast<std::size_t>(pings));
  for (int k = 0; k < pings; ++k) EXPECT_EQ(c->pongs()[k], numbered("p", k));
}

TEST_P(write_batching_test, a_member_sees_every_message_of_a_burst_once_and_in_sequence) {
  auto reader = connect();
  auto writer = connect();
  ASSERT_TRUE(reader->request({{"type", "room.join"}, {"room", "burst"}, {"name", "reader"}}));
  ASSERT_TRUE(writer->request({{"type", "room.join"}, {"room", "burst"}, {"name", "writer"}}));
  auto joined = reader->read_json();  // the writer's presence
  ASSERT_TRUE(joined);
  ASSERT_EQ((*joined)["type"], "room.presence") << *joined;

  for (int i = 0; i < burst; ++i) {
    ASSERT_TRUE(
        writer->send_json({{"type", "room.say"}, {"room", "burst"}, {"text", numbered("m", i)}}));
  }
  std::uint64_t first_seq = 0;
  for (int i = 0; i < burst; ++i) {
    auto m = reader->read_json();
    ASSERT_TRUE(m) << "message " << i << ": " << m.error().message();
    ASSERT_EQ((*m)["type"], "room.message") << *m;
    ASSERT_EQ((*m)["text"], numbered("m", i)) << *m;
    const auto seq = (*m)["seq"].get<std::uint64_t>();
    if (i == 0) first_seq = seq;
    ASSERT_EQ(seq, first_seq + static_cast<std::uint64_t>(i));
  }
  EXPECT_TRUE(answers_ping(*reader));
}

TEST_P(write_batching_test, a_client_that_stops_reading_gets_what_was_queued_then_1013) {
  auto c = connect();
  c->set_timeout(std::chrono::seconds(20));
  // Far more than the socket buffers on both sides hold, so the outbox overflows.
  constexpr int requests = 4000;
  const std::string payload(4000, 'q');
  for (int i = 0; i < requests; ++i) {
    ASSERT_TRUE(c->send_json({{"type", "echo"}, {"id", i}, {"payload", payload}}))
        << "request " << i;
  }
  int replies = 0;
  for (;;) {
    auto reply = c->read_json();
    if (!reply) break;
    ASSERT_EQ((*reply)["id"], replies)
        << "replies arrive in order, none missing: " << without(*reply, {"payload"});
    ASSERT_EQ((*reply)["payload"], payload);
    ++replies;
  }
  EXPECT_EQ(c->close_received().code, websocket::close_code::try_again_later)
      << c->close_received().reason;
  EXPECT_GE(replies, outbound_queue) << "at least a full outbox was delivered before the close";
  EXPECT_LT(replies, requests) << "the outbox cannot have held every reply";
}

// A client that overflows its outbox and then never reads again, though it keeps talking: the
// 1013 cannot reach it, and what it sends no longer counts as life. It has the handshake timeout
// to take what is queued before the server drops the connection and frees the session.
class stuck_reader_test : public server_test {
 protected:
  troupe_options options() const override {
    return {{"--threads", "1", "--handshake-timeout-ms", "1000"}, {}, false};
  }
};

TEST_F(stuck_reader_test, a_client_that_never_reads_again_is_dropped_after_the_overflow) {
  auto c = connect();
  const std::string payload(4000, 'q');
  // The server may drop it before it is done sending (it has not read for a whole handshake
  // timeout since its outbox overflowed): that is what is tested below.
  for (int i = 0; i < 4000; ++i)
    if (!c->send_json({{"type", "echo"}, {"id", i}, {"payload", payload}})) break;
  // Keeps pinging (the server reads and drops what comes once it is closing) until a write
  // fails because the server dropped the connection.
  const auto start = std::chrono::steady_clock::now();
  bool dropped = false;
  while (!dropped && std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
    const auto ping = c->send_ping("still here");
    dropped = !ping;
    // The client's own write timeout would fail the ping too, proving nothing about the server.
    if (dropped) {
      EXPECT_NE(ping.error(), boost::beast::error::timeout) << ping.error().message();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(dropped) << "the server kept a connection whose client never reads";
  EXPECT_TRUE(server().output_shows("did not take what was left within 1000 ms of closing"))
      << server().log();
  result<http_reply> node = http_get(port(), "/api/node");
  for (int tries = 0;
       tries < 50 && node && node->body.find("\"websockets\":0") == std::string::npos; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    node = http_get(port(), "/api/node");
  }
  ASSERT_TRUE(node);
  EXPECT_NE(node->body.find("\"websockets\":0"), std::string::npos)
      << "the session lives on: " << node->body;
  EXPECT_TRUE(answers_ping(*connect()));
}

// A member that stops reading and says nothing: its outbox overflows while the writer is already
// waiting for its full socket. The overflow itself starts the clock, so the connection is dropped
// after the handshake timeout instead of holding its outbox until the idle timeout.
class silent_stuck_reader_test : public server_test {
 protected:
  troupe_options options() const override {
    return {{"--threads", "1", "--handshake-timeout-ms", "1000", "--idle-timeout-ms", "60000",
             "--outbound-queue", "16", "--max-text-bytes", "60000"},
            {},
            false};
  }
};

TEST_F(silent_stuck_reader_test, a_silent_member_that_stops_reading_is_dropped_after_the_overflow) {
  auto mute = connect();
  ASSERT_TRUE(mute->request({{"type", "room.join"}, {"room", "flood"}, {"name", "mute"}}));
  // Published over HTTP, so no other WebSocket has to keep up: 24 MB, far more than the socket
  // buffers hold.
  const std::string body = json{{"name", "http"}, {"text", std::string(60000, 'f')}}.dump();
  for (int i = 0; i < 400; ++i) {
    auto published = http_post(port(), "/api/rooms/flood/messages", body);
    ASSERT_TRUE(published && published->status < 300u) << "publish " << i;
  }
  const std::string dropped = "did not take what was left within 1000 ms of closing";
  const auto start = std::chrono::steady_clock::now();
  while (!server().output_shows(dropped) &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(8))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(server().output_shows(dropped)) << server().log();
  EXPECT_TRUE(answers_ping(*connect()));
}

// Replies that carry a room's history are large: a client that asks for many without reading is
// held to limits.outbound_bytes (1 MiB here), not to limits.outbound_queue such frames (400 MB).
class outbound_bytes_test : public server_test {
 protected:
  troupe_options options() const override {
    return {{"--threads", "1", "--outbound-bytes", "1048576"}, {}, false};
  }
};

TEST_F(outbound_bytes_test, large_replies_left_unread_overflow_the_byte_bound_with_1013) {
  auto author = connect();
  ASSERT_TRUE(author->request({{"type", "room.join"}, {"room", "big"}, {"name", "author"}}));
  constexpr int texts = 100;
  for (int i = 1; i <= texts; ++i)
    ASSERT_TRUE(author->send_json(
        {{"type", "room.say"}, {"id", i}, {"room", "big"}, {"text", std::string(4000, 'h')}}));
  ASSERT_TRUE(author->read_until([](const json& f) { return f.value("id", json()) == texts; }));

  // Each reply holds the whole history, ~400 KB: 300 of them would be 120 MB.
  auto c = connect();
  c->set_timeout(std::chrono::seconds(20));
  constexpr int requests = 300;
  for (int i = 0; i < requests; ++i)
    ASSERT_TRUE(c->send_json({{"type", "room.history"}, {"id", i}, {"room", "big"}})) << i;
  int replies = 0;
  for (;;) {
    auto reply = c->read_json();
    if (!reply) break;
    ASSERT_EQ((*reply)["id"], replies) << "replies arrive in order, none missing";
    ASSERT_EQ((*reply)["messages"].size(), static_cast<std::size_t>(texts));
    ++replies;
  }
  EXPECT_EQ(c->close_received().code, websocket::close_code::try_again_later)
      << c->close_received().reason << " after " << replies << " replies";
  EXPECT_GT(replies, 0);
  EXPECT_LT(replies, requests) << "the outbox held every reply";
  EXPECT_TRUE(answers_ping(*author));
}

// Writes go out in batched io_uring submissions, one ring per io thread (unless the kernel
// refuses io_uring, which the server logs). Connections go to the io threads in turn, so with
// two threads the two clients are on different ones, and each thread's sends are counted.
TEST_P(write_batching_test, writes_are_batched_through_io_uring_on_every_io_thread) {
  std::vector<std::unique_ptr<ws_client>> clients;
  for (int k = 0; k < 2; ++k) clients.push_back(connect());
  for (auto& c : clients)
    for (int i = 0; i < 50; ++i)
      ASSERT_TRUE(c->request({{"type", "echo"}, {"id", i}, {"payload", "p"}}));
  auto metrics = http_get(port(), "/metrics");
  ASSERT_TRUE(metrics) << metrics.error().message();
  const auto active = prometheus_sample(metrics->body, "troupe_send_batching");
  const auto sends = prometheus_sample(metrics->body, "troupe_batched_sends_total");
  const auto submissions = prometheus_sample(metrics->body, "troupe_send_batches_total");
  if (active == 0 && server().output_shows("io_uring is not available"))
    GTEST_SKIP() << "io_uring is not available here: " << server().log();
  EXPECT_EQ(active, 1) << metrics->body;
  EXPECT_GE(sends, 2 * 51) << "each client's welcome and 50 replies, at least: " << metrics->body;
  EXPECT_GE(submissions, 1) << metrics->body;
  EXPECT_LE(submissions, sends) << metrics->body;
}

class unbatched_writes_test : public server_test {
 protected:
  troupe_options options() const override {
    return {{"--threads", "1", "--send-batching", "off"}, {}, false};
  }
};

TEST_F(unbatched_writes_test, send_batching_off_makes_every_write_a_system_call_of_its_own) {
  auto c = connect();
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(c->request({{"type", "echo"}, {"id", i}, {"payload", "p"}}));
  auto metrics = http_get(port(), "/metrics");
  ASSERT_TRUE(metrics) << metrics.error().message();
  EXPECT_EQ(prometheus_sample(metrics->body, "troupe_send_batching"), 0) << metrics->body;
  EXPECT_EQ(prometheus_sample(metrics->body, "troupe_batched_sends_total"), 0) << metrics->body;
  EXPECT_TRUE(answers_ping(*c));
}

INSTANTIATE_TEST_SUITE_P(io_threads, write_batching_test, ::testing::Values(1, 2),
                         [](const auto& info) { return std::to_string(info.param) + "_threads"; });

}  // namespace
}  // namespace troupe::it
