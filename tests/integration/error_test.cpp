// Every protocol error code over the wire, each followed by proof that the connection is still
// usable; and `overloaded` from a full mailbox.
#include "tests/integration/support/server_fixture.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace troupe::it {
namespace {

class error_test : public server_test {
 protected:
  troupe_options options() const override { return {{"--max-text-bytes", "16"}, {}, false}; }

  // Sends `text` verbatim; the reply is error `code` with `id`, and a ping still answers.
  void expect_error(const std::string& text, std::string_view code, const json& id = nullptr) {
    SCOPED_TRACE("frame: " + text);
    ASSERT_TRUE(client_->send_text(text));
    EXPECT_TRUE(is_error(client_->read_json(), code, id));
    EXPECT_TRUE(answers_ping(*client_)) << "the connection did not survive the error";
  }

  void SetUp() override {
    server_test::SetUp();
    if (!HasFatalFailure()) client_ = connect();
  }

  std::unique_ptr<ws_client> client_;
};

TEST_F(error_test, bad_json) {
  expect_error("{not json", "bad_json");
  expect_error(R"({"type":"ping","id":1)", "bad_json");  // truncated: the id cannot be trusted
  expect_error("", "bad_json");
  expect_error(R"({"type":"ping"} trailing)", "bad_json");
  // Invalid UTF-8 that WebSocket lets through: a lone surrogate escaped in a JSON string.
  // (Raw invalid UTF-8 in a text frame never gets this far: see close_code_test, 1007.)
  expect_error(R"({"type":"ping","id":"\ud800"})", "bad_json");
}

TEST_F(error_test, bad_request_for_a_frame_that_is_not_an_object) {
  expect_error("[1,2]", "bad_request");
  expect_error(R"("ping")", "bad_request");
  expect_error("42", "bad_request");
  expect_error("null", "bad_request");
}

TEST_F(error_test, bad_request_for_a_missing_or_wrongly_typed_field) {
  expect_error(R"({"id":5})", "bad_request", 5);  // no type
  expect_error(R"({"type":7,"id":6})", "bad_request", 6);
  expect_error(R"({"type":"counter.inc","id":"m"})", "bad_request", "m");
  expect_error(R"({"type":"room.join","id":1,"room":"r"})", "bad_request", 1);
  expect_error(R"({"type":"room.say","id":2,"room":"r"})", "bad_request", 2);
  expect_error(R"({"type":"room.say","id":3,"room":"r","text":5})", "bad_request", 3);
  expect_error(R"({"type":"echo","id":4})", "bad_request", 4);
  expect_error(R"({"type":"counter.inc","id":8,"counter":"c","by":"5"})", "bad_request", 8);
  expect_error(R"({"type":"counter.inc","id":9,"counter":"c","by":1.5})", "bad_request", 9);
  expect_error(R"({"type":"counter.inc","id":10,"counter":"c","by":9223372036854775808})",
               "bad_request", 10);
  expect_error(R"({"type":"room.history","id":11,"room":"r","since":-1})", "bad_request", 11);
}

TEST_F(error_test, bad_request_for_an_invalid_name) {
  expect_error(R"({"type":"counter.inc","id":1,"counter":"bad name"})", "bad_request", 1);
  expect_error(R"({"type":"counter.get","id":2,"counter":""})", "bad_request", 2);
  expect_error(R"({"type":"counter.get","id":3,"counter":")" + std::string(65, 'x') + R"("})",
               "bad_request", 3);
  expect_error(R"({"type":"room.join","id":4,"room":"r/x","name":"a"})", "bad_request", 4);
  expect_error(R"({"type":"room.join","id":5,"room":"r","name":""})", "bad_request", 5);
  expect_error(R"({"type":"room.join","id":6,"room":"r","name":"tab\there"})", "bad_request", 6);
  expect_error(R"({"type":"room.join","id":7,"room":"r","name":")" + std::string(33, 'n') + R"("})",
               "bad_request", 7);
  // The limits are inclusive: 64-byte names and 32-character display names are fine.
  EXPECT_TRUE(next_frame_is_reply(
      *client_, {{"type", "counter.get"}, {"id", 8}, {"counter", std::string(64, 'x')}},
      {{"type", "counter.value"}, {"id", 8}, {"counter", std::string(64, 'x')}, {"value", 0}}));
  auto joined = client_->request(
      {{"type", "room.join"}, {"id", 9}, {"room", "r"}, {"name", std::string(32, 'n')}});
  ASSERT_TRUE(joined) << joined.error().message();
  EXPECT_EQ((*joined)["type"], "room.joined") << *joined;
}

TEST_F(error_test, bad_request_for_text_over_max_text_bytes) {
  ASSERT_TRUE(client_->request({{"type", "room.join"}, {"room", "t"}, {"name", "me"}}));
  expect_error(
      json({{"type", "room.say"}, {"id", 1}, {"room", "t"}, {"text", std::string(17, 'a')}}).dump(),
      "bad_request", 1);
  // 9 two-byte characters are 18 bytes: the limit counts bytes.
  expect_error(json({{"type", "room.say"}, {"id", 2}, {"room", "t"}, {"text", "ééééééééé"}}).dump(),
               "bad_request", 2);
  // Exactly max_text_bytes is accepted.
  auto frames = request_with_broadcast(
      *client_, {{"type", "room.say"}, {"id", 3}, {"room", "t"}, {"text", "éééééééé"}},
      [](const json& f) { return f["type"] == "ok"; });
  ASSERT_TRUE(frames) << frames.error().message();
  EXPECT_EQ(frames->first, json({{"type", "ok"}, {"id", 3}, {"seq", 1}}));
  EXPECT_EQ(frames->second["text"], "éééééééé") << frames->second;
}

TEST_F(error_test, bad_request_for_an_invalid_id_carries_no_id) {
  expect_error(R"({"type":"ping","id":1.5})", "bad_request");
  expect_error(R"({"type":"ping","id":[1]})", "bad_request");
  expect_error(R"({"type":"ping","id":{"a":1}})", "bad_request");
  expect_error(R"({"type":"ping","id":true})", "bad_request");
  expect_error(R"({"type":"ping","id":null})", "bad_request");
}

TEST_F(error_test, bad_request_for_a_counter_overflow) {
  const auto max = std::numeric_limits<std::int64_t>::max();
  EXPECT_TRUE(next_frame_is_reply(
      *client_, {{"type", "counter.inc"}, {"id", 1}, {"counter", "big"}, {"by", max}},
      {{"type", "counter.value"}, {"id", 1}, {"counter", "big"}, {"value", max}}));
  expect_error(R"({"type":"counter.inc","id":2,"counter":"big"})", "bad_request", 2);
  // The refused change left the value alone.
  EXPECT_TRUE(next_frame_is_reply(
      *client_, {{"type", "counter.get"}, {"id", 3}, {"counter", "big"}},
      {{"type", "counter.value"}, {"id", 3}, {"counter", "big"}, {"value", max}}));
}

TEST_F(error_test, bad_request_for_deep_nesting) {
  expect_error(R"({"type":"echo","id":1,"payload":)" + std::string(10000, '[') +
                   std::string(10000, ']') + "}",
               "bad_request");
}

TEST_F(error_test, unknown_type) {
  expect_error(R"({"type":"counter.explode","id":"u"})", "unknown_type", "u");
  expect_error(R"({"type":"","id":1})", "unknown_type", 1);
  expect_error(R"({"type":"PING"})", "unknown_type");
}

TEST_F(error_test, not_member_for_say_and_leave_without_join) {
  expect_error(R"({"type":"room.say","id":1,"room":"nowhere","text":"hi"})", "not_member", 1);
  expect_error(R"({"type":"room.leave","id":"l","room":"nowhere"})", "not_member", "l");
  // Joining one room does not make the session a member of another.
  ASSERT_TRUE(client_->request({{"type", "room.join"}, {"room", "somewhere"}, {"name", "me"}}));
  expect_error(R"({"type":"room.say","id":2,"room":"nowhere","text":"hi"})", "not_member", 2);
  // After leaving, neither works any more.
  EXPECT_TRUE(next_frame_is_reply(*client_,
                                  {{"type", "room.leave"}, {"id", 3}, {"room", "somewhere"}},
                                  {{"type", "ok"}, {"id", 3}}));
  expect_error(R"({"type":"room.say","id":4,"room":"somewhere","text":"hi"})", "not_member", 4);
  expect_error(R"({"type":"room.leave","id":5,"room":"somewhere"})", "not_member", 5);
}

TEST_F(error_test, errors_are_counted_in_metrics) {
  expect_error("{", "bad_json");
  expect_error("{", "bad_json");
  expect_error(R"({"type":"nope"})", "unknown_type");
  expect_error(R"({"type":"room.leave","room":"x"})", "not_member");
  auto metrics = http_get(port(), "/metrics");
  ASSERT_TRUE(metrics) << metrics.error().message();
  for (const char* line : {"troupe_protocol_errors_total{code=\"bad_json\"} 2\n",
                           "troupe_protocol_errors_total{code=\"bad_request\"} 0\n",
                           "troupe_protocol_errors_total{code=\"unknown_type\"} 1\n",
                           "troupe_protocol_errors_total{code=\"not_member\"} 1\n",
                           "troupe_protocol_errors_total{code=\"overloaded\"} 0\n",
                           "troupe_protocol_errors_total{code=\"timeout\"} 0\n"})
    EXPECT_NE(metrics->body.find(line), std::string::npos) << "missing " << line << "in\n"
                                                           << metrics->body;
}

// overloaded: every mailbox holds one message and one io thread runs everything. The server is
// stopped (SIGSTOP) while the clients each send one counter.inc, so on SIGCONT all the frames are
// read in one go and every session asks the counter before the counter gets to run: the first
// ask fills its mailbox, the others are refused. Each client gets exactly one reply, with its id.
class overload_test : public server_test {
 protected:
  troupe_options options() const override {
    return {{"--threads", "1", "--mailbox-capacity", "1", "--echo-workers", "1"}, {}, false};
  }
};

TEST_F(overload_test, a_full_mailbox_answers_overloaded) {
  constexpr int clients = 16;
  std::vector<std::unique_ptr<ws_client>> c;
  for (int i = 0; i < clients; ++i) c.push_back(connect());
  ASSERT_FALSE(HasFailure());

  int accepted = 0;
  int overloaded = 0;
  // One round suffices in practice; a few more make a freak schedule harmless.
  for (int round = 0; round < 5 && overloaded == 0; ++round) {
    ASSERT_TRUE(server().pause()) << "the server did not stop";
    for (int i = 0; i < clients; ++i)
      ASSERT_TRUE(c[i]->send_json({{"type", "counter.inc"}, {"id", i}, {"counter", "hot"}}));
    server().resume();
    for (int i = 0; i < clients; ++i) {
      auto reply = c[i]->read_json();
      ASSERT_TRUE(reply) << reply.error().message();
      if ((*reply)["type"] == "counter.value") {
        ++accepted;
        EXPECT_EQ(without(*reply, {"value"}),
                  json({{"type", "counter.value"}, {"id", i}, {"counter", "hot"}}));
      } else {
        ++overloaded;
        EXPECT_TRUE(is_error(*reply, "overloaded", i));
      }
    }
  }
  EXPECT_GT(overloaded, 0) << "no request was refused";
  EXPECT_GT(accepted, 0) << "every request was refused";
  // Refused increments did not happen; accepted ones all did.
  EXPECT_TRUE(next_frame_is_reply(
      *c[0], {{"type", "counter.get"}, {"id", "g"}, {"counter", "hot"}},
      {{"type", "counter.value"}, {"id", "g"}, {"counter", "hot"}, {"value", accepted}}));
  for (auto& client : c) EXPECT_TRUE(answers_ping(*client));
  auto metrics = http_get(port(), "/metrics");
  ASSERT_TRUE(metrics) << metrics.error().message();
  EXPECT_NE(metrics->body.find("troupe_protocol_errors_total{code=\"overloaded\"} " +
                               std::to_string(overloaded) + "\n"),
            std::string::npos)
      << metrics->body;
}

// timeout and overloaded, deterministically: one echo worker with a one-message mailbox, kept
// busy by a payload that takes far longer to serialise (hundreds of ms) than the ask timeout
// (5 ms). Two io threads, and the client's connection on the one the worker is not on (a
// worker blocks its own thread's connections: that is what one io_context per thread costs).
class busy_worker_test : public server_test {
 protected:
  troupe_options options() const override {
    return {{"--threads", "2", "--echo-workers", "1", "--mailbox-capacity", "1", "--ask-timeout-ms",
             "5", "--max-message-bytes", "67108864"},
            {},
            false};
  }

  // A connection on the second io thread. The one worker is on the first, and connections go to
  // the threads in turn as they are accepted (troupe_connections_total counts them, including
  // the one that asks for it).
  std::unique_ptr<ws_client> connect_off_the_workers_thread() {
    auto metrics = http_get(port(), "/metrics");
    if (!metrics) return nullptr;
    std::unique_ptr<ws_client> spacer;
    if (prometheus_sample(metrics->body, "troupe_connections_total") % 2 == 0) spacer = connect();
    auto c = connect();
    spacers_.push_back(std::move(spacer));
    return c;
  }

  std::vector<std::unique_ptr<ws_client>> spacers_;
};

TEST_F(busy_worker_test, a_busy_worker_answers_timeout_then_overloaded) {
  auto c = connect_off_the_workers_thread();
  auto other = connect_off_the_workers_thread();
  ASSERT_TRUE(c && other);
  std::string payload = "[";
  for (int i = 0; i < 4'000'000; ++i) payload += i == 0 ? "0.1" : ",0.1";
  payload += "]";
  c->set_timeout(std::chrono::seconds(20));  // the server parses 16 MB of JSON first
  ASSERT_TRUE(c->send_text(R"({"type":"echo","id":"slow","payload":)" + payload + "}"));
  // The worker took the request and is serialising it: the ask times out.
  EXPECT_TRUE(is_error(c->read_json(), "timeout", "slow"));
  c->set_timeout(ws_client::default_timeout);
  // The next request waits in the worker's mailbox (so it was accepted) and times out too ...
  EXPECT_TRUE(is_error(c->request({{"type", "echo"}, {"id", "queued"}, {"payload", 1}}), "timeout",
                       "queued"));
  // ... and while it is still there, the mailbox is full: the next one is refused at once.
  EXPECT_TRUE(is_error(c->request({{"type", "echo"}, {"id", "refused"}, {"payload", 2}}),
                       "overloaded", "refused"));
  // The connection itself and other sessions off the worker's thread are unaffected.
  EXPECT_TRUE(answers_ping(*c));
  EXPECT_TRUE(answers_ping(*other));
}

}  // namespace
}  // namespace troupe::it
