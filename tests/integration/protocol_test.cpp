// The protocol table over a real socket: welcome, counters, echo, ping, and ids on replies.
#include "tests/integration/support/server_fixture.hpp"

#include <cstdint>
#include <limits>
#include <memory>
#include <set>
#include <vector>

namespace troupe::it {
namespace {

class protocol_test : public server_test {
 protected:
  troupe_options options() const override {
    return {{"--node-id", "it-node", "--threads", "2", "--echo-workers", "2"}, {}, false};
  }
};

TEST_F(protocol_test, welcome_names_session_node_and_protocol) {
  ws_client a;
  auto welcome = a.connect_welcome(port());
  ASSERT_TRUE(welcome) << welcome.error().message();
  ASSERT_TRUE((*welcome)["session"].is_string()) << *welcome;
  const auto session = (*welcome)["session"].get<std::string>();
  EXPECT_FALSE(session.empty());
  EXPECT_EQ(
      *welcome,
      json({{"type", "welcome"}, {"session", session}, {"node", "it-node"}, {"protocol", 1}}));

  ws_client b;
  auto other = b.connect_welcome(port());
  ASSERT_TRUE(other) << other.error().message();
  EXPECT_NE((*other)["session"], session) << "two connections share a session id";
}

TEST_F(protocol_test, counter_inc_with_by_without_by_and_negative) {
  auto c = connect();
  EXPECT_TRUE(next_frame_is_reply(
      *c, {{"type", "counter.inc"}, {"id", 1}, {"counter", "hits"}, {"by", 5}},
      {{"type", "counter.value"}, {"id", 1}, {"counter", "hits"}, {"value", 5}}));
  EXPECT_TRUE(next_frame_is_reply(
      *c, {{"type", "counter.inc"}, {"id", 2}, {"counter", "hits"}},
      {{"type", "counter.value"}, {"id", 2}, {"counter", "hits"}, {"value", 6}}));
  EXPECT_TRUE(next_frame_is_reply(
      *c, {{"type", "counter.inc"}, {"id", 3}, {"counter", "hits"}, {"by", -10}},
      {{"type", "counter.value"}, {"id", 3}, {"counter", "hits"}, {"value", -4}}));
  EXPECT_TRUE(next_frame_is_reply(
      *c, {{"type", "counter.get"}, {"id", 4}, {"counter", "hits"}},
      {{"type", "counter.value"}, {"id", 4}, {"counter", "hits"}, {"value", -4}}));
  // Counters are independent, and a fresh one starts at 0.
  EXPECT_TRUE(next_frame_is_reply(
      *c, {{"type", "counter.get"}, {"id", 5}, {"counter", "other"}},
      {{"type", "counter.value"}, {"id", 5}, {"counter", "other"}, {"value", 0}}));
}

TEST_F(protocol_test, counter_state_is_shared_between_connections) {
  auto a = connect();
  auto b = connect();
  EXPECT_TRUE(next_frame_is_reply(
      *a, {{"type", "counter.inc"}, {"id", 1}, {"counter", "shared"}, {"by", 7}},
      {{"type", "counter.value"}, {"id", 1}, {"counter", "shared"}, {"value", 7}}));
  EXPECT_TRUE(next_frame_is_reply(
      *b, {{"type", "counter.get"}, {"id", 1}, {"counter", "shared"}},
      {{"type", "counter.value"}, {"id", 1}, {"counter", "shared"}, {"value", 7}}));
}

TEST_F(protocol_test, counter_watch_pushes_changes_until_unwatch) {
  auto watcher = connect();
  auto other = connect();
  EXPECT_TRUE(
      next_frame_is_reply(*other, {{"type", "counter.inc"}, {"id", 1}, {"counter", "w"}, {"by", 2}},
                          {{"type", "counter.value"}, {"id", 1}, {"counter", "w"}, {"value", 2}}));
  // The watch answers with the value now.
  EXPECT_TRUE(next_frame_is_reply(
      *watcher, {{"type", "counter.watch"}, {"id", "watch"}, {"counter", "w"}},
      {{"type", "counter.value"}, {"id", "watch"}, {"counter", "w"}, {"value", 2}}));

  // Another client's change is pushed, without an id. The counter pushes before it replies, so
  // once `other` has its reply the push is already queued for the watcher.
  EXPECT_TRUE(
      next_frame_is_reply(*other, {{"type", "counter.inc"}, {"id", 2}, {"counter", "w"}, {"by", 3}},
                          {{"type", "counter.value"}, {"id", 2}, {"counter", "w"}, {"value", 5}}));
  EXPECT_TRUE(next_frame_is(*watcher, {{"type", "counter.value"}, {"counter", "w"}, {"value", 5}}));
  EXPECT_TRUE(next_frame_is_reply(
      *other, {{"type", "counter.inc"}, {"id", 3}, {"counter", "w"}, {"by", -1}},
      {{"type", "counter.value"}, {"id", 3}, {"counter", "w"}, {"value", 4}}));
  EXPECT_TRUE(next_frame_is(*watcher, {{"type", "counter.value"}, {"counter", "w"}, {"value", 4}}));

  // The watcher's own change: the reply and the push, in either order.
  auto own =
      request_with_broadcast(*watcher, {{"type", "counter.inc"}, {"id", 9}, {"counter", "w"}},
                             [](const json& f) { return f.contains("id"); });
  ASSERT_TRUE(own) << own.error().message();
  EXPECT_EQ(own->first,
            json({{"type", "counter.value"}, {"id", 9}, {"counter", "w"}, {"value", 5}}));
  EXPECT_EQ(own->second, json({{"type", "counter.value"}, {"counter", "w"}, {"value", 5}}));

  // Other counters are not pushed.
  EXPECT_TRUE(next_frame_is_reply(
      *other, {{"type", "counter.inc"}, {"id", 4}, {"counter", "unwatched"}},
      {{"type", "counter.value"}, {"id", 4}, {"counter", "unwatched"}, {"value", 1}}));
  EXPECT_TRUE(answers_ping(*watcher));

  EXPECT_TRUE(next_frame_is_reply(
      *watcher, {{"type", "counter.unwatch"}, {"id", "unwatch"}, {"counter", "w"}},
      {{"type", "ok"}, {"id", "unwatch"}}));
  EXPECT_TRUE(
      next_frame_is_reply(*other, {{"type", "counter.inc"}, {"id", 5}, {"counter", "w"}},
                          {{"type", "counter.value"}, {"id", 5}, {"counter", "w"}, {"value", 6}}));
  EXPECT_TRUE(answers_ping(*watcher)) << "a push arrived after counter.unwatch";
}

// A push to a watcher is never older than the counter.value that answered its watch: while one
// client increments without pause, others watch, and each gets its reply first, then every value
// after it, one by one.
TEST_F(protocol_test, counter_watch_reply_comes_before_the_pushes_after_it) {
  constexpr int watchers = 10;
  constexpr int incs = 300;
  auto incrementer = connect();
  std::vector<std::unique_ptr<ws_client>> late;
  for (int i = 0; i < watchers; ++i) late.push_back(connect());
  for (int i = 1; i <= incs; ++i)
    ASSERT_TRUE(incrementer->send_json({{"type", "counter.inc"}, {"id", i}, {"counter", "busy"}}));
  for (int i = 0; i < watchers; ++i)
    ASSERT_TRUE(late[i]->send_json({{"type", "counter.watch"}, {"id", i}, {"counter", "busy"}}));

  for (int i = 0; i < watchers; ++i) {
    auto reply = late[i]->read_json();
    ASSERT_TRUE(reply) << reply.error().message();
    ASSERT_EQ((*reply)["id"], i) << "watcher " << i << " heard first: " << *reply;
    auto expected = (*reply)["value"].get<std::int64_t>() + 1;
    for (; expected <= incs; ++expected) {
      auto push = late[i]->read_json();
      ASSERT_TRUE(push) << push.error().message();
      ASSERT_EQ(*push, json({{"type", "counter.value"}, {"counter", "busy"}, {"value", expected}}))
          << "watcher " << i << " was answered " << (*reply)["value"];
    }
  }
}

TEST_F(protocol_test, echo_returns_the_payload_and_the_worker_index) {
  // Two io threads with a worker each; connections go to the threads in turn, so these two are
  // on different ones. An idle worker on a connection's own thread answers it (the pool is
  // "nearest"): each connection always gets its own thread's worker, and they differ.
  std::vector<std::unique_ptr<ws_client>> clients;
  for (int k = 0; k < 2; ++k) clients.push_back(connect());
  const json payload = {
      {"text", "héllo"}, {"list", {1, 2.5, nullptr, true}}, {"nested", {{"deep", {{"x", -1}}}}}};
  std::set<int> workers;
  for (auto& c : clients) {
    std::set<int> this_ones;
    for (int i = 0; i < 4; ++i) {
      const std::string id = numbered("e", i);
      auto reply = c->request({{"type", "echo"}, {"id", id}, {"payload", payload}});
      ASSERT_TRUE(reply) << reply.error().message();
      ASSERT_TRUE((*reply)["worker"].is_number_integer()) << *reply;
      const int worker = (*reply)["worker"].get<int>();
      EXPECT_EQ(*reply,
                json({{"type", "echo"}, {"id", id}, {"payload", payload}, {"worker", worker}}));
      this_ones.insert(worker);
    }
    EXPECT_EQ(this_ones.size(), 1u) << "one connection's echoes went to more than one worker";
    workers.insert(this_ones.begin(), this_ones.end());
  }
  EXPECT_EQ(workers, (std::set<int>{0, 1}));
  auto& c = clients.front();

  // Any JSON value is a payload, null and scalars included.
  for (const json& p : {json(nullptr), json(42), json("text"), json::array()}) {
    auto reply = c->request({{"type", "echo"}, {"payload", p}});
    ASSERT_TRUE(reply) << reply.error().message();
    EXPECT_EQ(without(*reply, {"worker"}), json({{"type", "echo"}, {"payload", p}}));
  }
}

TEST_F(protocol_test, ping_answers_pong) {
  auto c = connect();
  EXPECT_TRUE(next_frame_is_reply(*c, {{"type", "ping"}}, {{"type", "pong"}}));
  EXPECT_TRUE(
      next_frame_is_reply(*c, {{"type", "ping"}, {"id", 42}}, {{"type", "pong"}, {"id", 42}}));
}

TEST_F(protocol_test, ids_are_echoed_as_sent) {
  auto c = connect();
  for (const json& id : {json("abc"), json(""), json("ünï \"quoted\""), json(0), json(-7),
                         json(9007199254740993LL), json(std::numeric_limits<std::int64_t>::min()),
                         json(std::numeric_limits<std::uint64_t>::max())}) {
    EXPECT_TRUE(
        next_frame_is_reply(*c, {{"type", "ping"}, {"id", id}}, {{"type", "pong"}, {"id", id}}));
    EXPECT_TRUE(next_frame_is_reply(
        *c, {{"type", "counter.get"}, {"id", id}, {"counter", "ids"}},
        {{"type", "counter.value"}, {"id", id}, {"counter", "ids"}, {"value", 0}}));
  }
}

}  // namespace
}  // namespace troupe::it
