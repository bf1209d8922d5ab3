// Rooms, counters and subscriptions are bounded, so a client naming new ones cannot grow the
// server without end: past limits.max_rooms / max_counters open ones a new one gets a `limit`
// error (HTTP 503) while the open ones carry on, and one that passivates frees its place; reads
// open nothing; the store keeps at most as many rooms and counters, forgetting the least
// recently used; a session joins and watches at most limits.max_subscriptions.
#include "tests/integration/support/http_client.hpp"
#include "tests/integration/support/server_fixture.hpp"

#include <chrono>
#include <string>
#include <thread>

namespace troupe::it {
namespace {

using namespace std::chrono_literals;

class limits_test : public server_test {
 protected:
  troupe_options options() const override {
    return {{"--max-rooms", "2", "--max-counters", "2", "--max-subscriptions", "3",
             "--room-idle-ms", "100"},
            {},
            false};
  }
};

json join(const std::string& room, int id) {
  return {{"type", "room.join"}, {"id", id}, {"room", room}, {"name", "alice"}};
}
json say(const std::string& room, int id) {
  return {{"type", "room.say"}, {"id", id}, {"room", room}, {"text", "hi"}};
}
json leave(const std::string& room, int id) {
  return {{"type", "room.leave"}, {"id", id}, {"room", room}};
}
json history(const std::string& room, int id) {
  return {{"type", "room.history"}, {"id", id}, {"room", room}};
}
json inc(const std::string& counter, int by, int id) {
  return {{"type", "counter.inc"}, {"id", id}, {"counter", counter}, {"by", by}};
}
json counter_value(const std::string& counter, int value, int id) {
  return {{"type", "counter.value"}, {"id", id}, {"counter", counter}, {"value", value}};
}

// The frame is the `limit` error for `id` and its message contains `part`.
::testing::AssertionResult is_limit(const result<json>& frame, int id, std::string_view part) {
  auto error = is_error(frame, "limit", id);
  if (!error) return error;
  if ((*frame)["message"].get<std::string>().find(part) == std::string::npos)
    return ::testing::AssertionFailure()
           << "message " << (*frame)["message"] << " lacks '" << part << "'";
  return ::testing::AssertionSuccess();
}

// Sends `request` until its reply is not the `limit` error for a room or counter not open (one
// passivating frees its place within the idle time); returns the first other reply.
result<json> once_a_place_is_free(ws_client& c, const json& request) {
  const auto until = std::chrono::steady_clock::now() + 5s;
  for (;;) {
    auto reply = c.request(request);
    if (!reply || (*reply)["type"] != "error" || (*reply)["code"] != "limit" ||
        std::chrono::steady_clock::now() > until)
      return reply;
    std::this_thread::sleep_for(20ms);
  }
}

// Waits (up to 5 s) until at most `n` counter actors are open. A counter that passivates saves
// its value again, which makes it the most recently used in the store: tests of which one the
// store forgets must let them passivate in a known order.
bool at_most_counters_open(std::uint16_t port, unsigned n) {
  const auto until = std::chrono::steady_clock::now() + 5s;
  const std::string line = "troupe_actors{kind=\"counter\"} ";
  for (;;) {
    if (auto metrics = http_get(port, "/metrics")) {
      const auto at = metrics->body.find(line);
      if (at == std::string::npos || std::stoul(metrics->body.substr(at + line.size(), 20)) <= n)
        return true;
    }
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(20ms);
  }
}

// `c` says something in `room` and gets the ok with `seq` (and its own copy of the message).
::testing::AssertionResult says(ws_client& c, const std::string& room, int seq) {
  auto said =
      request_with_broadcast(c, say(room, seq), [](const json& f) { return f["type"] == "ok"; });
  if (!said) return ::testing::AssertionFailure() << said.error().message();
  if (said->first != json{{"type", "ok"}, {"id", seq}, {"seq", seq}})
    return ::testing::AssertionFailure() << "reply " << said->first;
  return ::testing::AssertionSuccess();
}

TEST_F(limits_test, rooms_beyond_the_open_limit_are_refused_and_a_passivated_room_frees_its_place) {
  auto alice = connect();
  ASSERT_EQ(alice->request(join("r1", 1))->at("type"), "room.joined");
  ASSERT_EQ(alice->request(join("r2", 2))->at("type"), "room.joined");

  // Two rooms are open: opening a third is refused, over WebSocket and over HTTP.
  EXPECT_TRUE(is_limit(alice->request(join("r3", 3)), 3, "room 'r3' is not open"));
  auto posted = http_post(port(), "/api/rooms/r3/messages", R"({"text":"x","name":"curl"})");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 503u);
  EXPECT_EQ(json::parse(posted->body)["error"]["code"], "limit") << posted->body;
  // Reads open nothing, so they are not refused.
  auto read = alice->request(history("r3", 4));
  ASSERT_TRUE(read);
  EXPECT_EQ((*read)["type"], "room.history") << *read;
  EXPECT_EQ((*read)["last_seq"], 0);
  auto detail = http_get(port(), "/api/rooms/r3");
  ASSERT_TRUE(detail);
  EXPECT_EQ(detail->status, 404u) << "a room never opened nor stored does not exist";

  // The listing shows the open rooms, with or without messages.
  ASSERT_TRUE(says(*alice, "r1", 1));
  auto listing = http_get(port(), "/api/rooms");
  ASSERT_TRUE(listing);
  EXPECT_EQ(
      json::parse(listing->body)["rooms"],
      json::parse(
          R"([{"room":"r1","members":1,"last_seq":1},{"room":"r2","members":1,"last_seq":0}])"));

  // r2, left empty, passivates after --room-idle-ms: r3 opens in its place.
  ASSERT_EQ(alice->request(leave("r2", 6))->at("type"), "ok");
  auto joined = once_a_place_is_free(*alice, join("r3", 7));
  ASSERT_TRUE(joined);
  EXPECT_EQ((*joined)["type"], "room.joined") << *joined;
  EXPECT_TRUE(answers_ping(*alice));
}

TEST_F(limits_test, the_store_keeps_the_most_recently_used_rooms) {
  auto alice = connect();
  for (const std::string room : {"a", "b", "c"}) {
    // Opening the next room may wait for the last to passivate.
    ASSERT_EQ(once_a_place_is_free(*alice, join(room, 1))->at("type"), "room.joined");
    ASSERT_TRUE(says(*alice, room, 1));
    ASSERT_EQ(alice->request(leave(room, 3))->at("type"), "ok");
  }
  // Two rooms are kept: storing c forgot a, the least recently used.
  auto gone = http_get(port(), "/api/rooms/a");
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404u) << gone->body;
  auto metrics = http_get(port(), "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(prometheus_sample(metrics->body, "troupe_store_forgotten_total"), 1);
  for (const std::string room : {"b", "c"}) {
    auto kept = alice->request(history(room, 4));
    ASSERT_TRUE(kept);
    EXPECT_EQ((*kept)["last_seq"], 1) << *kept;
    EXPECT_EQ((*kept)["messages"].size(), 1u) << *kept;
  }
  EXPECT_TRUE(answers_ping(*alice));
}

TEST_F(limits_test, counters_beyond_the_open_limit_are_refused_and_the_store_keeps_the_latest) {
  auto alice = connect();
  for (const std::string counter : {"c1", "c2"})
    ASSERT_TRUE(next_frame_is_reply(*alice,
                                    {{"type", "counter.watch"}, {"id", 1}, {"counter", counter}},
                                    counter_value(counter, 0, 1)));
  // Both are watched, so both stay open: a third is refused, but reading one opens nothing.
  EXPECT_TRUE(is_limit(alice->request(inc("c3", 1, 2)), 2, "counter 'c3' is not open"));
  ASSERT_TRUE(next_frame_is_reply(*alice, {{"type", "counter.get"}, {"id", 3}, {"counter", "c3"}},
                                  counter_value("c3", 0, 3)));
  auto refused = http_post(port(), "/api/counters/c3/inc", "");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503u) << refused->body;

  // Once c1 and c2 have values and are unwatched (and passivate, c1 first), three counters are
  // kept in turn: the least recently used, c1, is forgotten.
  unsigned still_open = 2;
  for (const std::string counter : {"c1", "c2"}) {
    // The reply (with the id) and the push to the watcher (without) come in either order.
    auto frames = request_with_broadcast(*alice, inc(counter, 5, 4),
                                         [](const json& f) { return f.contains("id"); });
    ASSERT_TRUE(frames);
    EXPECT_EQ(frames->first, counter_value(counter, 5, 4));
    ASSERT_EQ(
        alice->request({{"type", "counter.unwatch"}, {"id", 5}, {"counter", counter}})->at("type"),
        "ok");
    ASSERT_TRUE(at_most_counters_open(port(), --still_open)) << counter << " did not passivate";
  }
  auto third = alice->request(inc("c3", 7, 6));
  ASSERT_TRUE(third);
  EXPECT_EQ(*third, counter_value("c3", 7, 6));
  const std::pair<const char*, int> expected[] = {{"c1", 0}, {"c2", 5}, {"c3", 7}};
  for (auto [counter, value] : expected) {
    auto got = http_get(port(), std::string("/api/counters/") + counter);
    ASSERT_TRUE(got);
    EXPECT_EQ(json::parse(got->body)["value"], value) << counter;
  }
}

TEST_F(limits_test, a_session_joins_and_watches_at_most_max_subscriptions) {
  auto alice = connect();
  ASSERT_EQ(alice->request(join("s1", 1))->at("type"), "room.joined");
  ASSERT_EQ(alice->request(join("s2", 2))->at("type"), "room.joined");
  ASSERT_TRUE(next_frame_is_reply(*alice, {{"type", "counter.watch"}, {"id", 3}, {"counter", "w"}},
                                  counter_value("w", 0, 3)));
  EXPECT_TRUE(is_limit(alice->request(join("s3", 4)), 4, "this session has joined and watched 3"));
  EXPECT_TRUE(is_limit(alice->request({{"type", "counter.watch"}, {"id", 5}, {"counter", "v"}}), 5,
                       "this session has joined and watched 3"));
  EXPECT_EQ(alice->request(join("s1", 6))->at("type"), "room.joined")
      << "joining again is no new one";
  ASSERT_EQ(alice->request(leave("s1", 7))->at("type"), "ok");
  EXPECT_EQ(once_a_place_is_free(*alice, join("s3", 8))->at("type"), "room.joined");
}

}  // namespace
}  // namespace troupe::it
