// Rooms and counters are bounded (limits.max_rooms, limits.max_counters): a client naming new ones
// cannot grow the server without end. Past the limit of open ones, or of stored ones, a new room
// or counter gets a `limit` error (HTTP: 503 or 507) while the existing ones carry on; a room or
// counter that passivates, or a counter back at 0, frees its place.
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
    return {{"--max-rooms", "2", "--max-counters", "2", "--room-idle-ms", "100"}, {}, false};
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
json inc(const std::string& counter, int by, int id) {
  return {{"type", "counter.inc"}, {"id", id}, {"counter", counter}, {"by", by}};
}

// The frame is the `limit` error for `id` and its message contains `part`.
::testing::AssertionResult is_limit(const result<json>& frame, int id, std::string_view part) {
  auto error = is_error(frame, "limit", id);
  if (!error) return error;
  if ((*frame)["message"].get<std::string>().find(part) == std::string::npos)
    return ::testing::AssertionFailure() << "message " << (*frame)["message"] << " lacks '" << part << "'";
  return ::testing::AssertionSuccess();
}

// The HTTP reply has `status` and the JSON error `limit` whose message contains `part`.
::testing::AssertionResult is_http_limit(const result<http_reply>& reply, unsigned status,
                                         std::string_view part) {
  if (!reply) return ::testing::AssertionFailure() << "no reply: " << reply.error().message();
  const json body = json::parse(reply->body, nullptr, false);
  if (reply->status != status || body.is_discarded() || !body.contains("error") ||
      body["error"]["code"] != "limit" ||
      body["error"]["message"].get<std::string>().find(part) == std::string::npos)
    return ::testing::AssertionFailure() << "status " << reply->status << " body " << reply->body;
  return ::testing::AssertionSuccess();
}

// Sends `request` until its reply is not the `limit` error for a room or counter not open (one
// passivating frees its place within the idle time); returns the first other reply.
result<json> once_a_place_is_free(ws_client& c, const json& request) {
  const auto until = std::chrono::steady_clock::now() + 5s;
  for (;;) {
    auto reply = c.request(request);
    if (!reply || (*reply)["type"] != "error" || (*reply)["code"] != "limit" ||
        (*reply)["message"].get<std::string>().find("is not open") == std::string::npos ||
        std::chrono::steady_clock::now() > until)
      return reply;
    std::this_thread::sleep_for(20ms);
  }
}

TEST_F(limits_test, rooms_beyond_the_limit_are_refused_and_a_passivated_room_frees_its_place) {
  auto alice = connect();
  ASSERT_EQ(alice->request(join("r1", 1))->at("type"), "room.joined");
  ASSERT_EQ(alice->request(join("r2", 2))->at("type"), "room.joined");

  // Two rooms are open: a third is refused, over WebSocket and over HTTP, whatever the request.
  EXPECT_TRUE(is_limit(alice->request(join("r3", 3)), 3, "room 'r3' is not open"));
  EXPECT_TRUE(is_limit(alice->request({{"type", "room.history"}, {"id", 4}, {"room", "r3"}}), 4,
                       "room 'r3'"));
  EXPECT_TRUE(is_http_limit(http_post(port(), "/api/rooms/r3/messages", R"({"text":"x","name":"curl"})"),
                            503, "room 'r3' is not open"));
  auto said = request_with_broadcast(*alice, say("r1", 5), [](const json& f) { return f["type"] == "ok"; });
  ASSERT_TRUE(said);
  EXPECT_EQ(said->first["seq"], 1);
  // The listing shows the open rooms, with or without messages.
  auto listing = http_get(port(), "/api/rooms");
  ASSERT_TRUE(listing);
  EXPECT_EQ(json::parse(listing->body)["rooms"],
            json::parse(R"([{"room":"r1","members":1,"last_seq":1},{"room":"r2","members":1,"last_seq":0}])"));

  // r2, left empty, passivates after --room-idle-ms: r3 opens in its place.
  ASSERT_EQ(alice->request(leave("r2", 6))->at("type"), "ok");
  auto joined = once_a_place_is_free(*alice, join("r3", 7));
  ASSERT_TRUE(joined);
  EXPECT_EQ((*joined)["type"], "room.joined") << *joined;
  EXPECT_TRUE(answers_ping(*alice));
}

TEST_F(limits_test, rooms_are_stored_only_with_messages_and_the_store_is_bounded) {
  auto alice = connect();
  for (const std::string room : {"a", "b"}) {
    // Opening b may have to wait for a to passivate.
    ASSERT_EQ(once_a_place_is_free(*alice, join(room, 1))->at("type"), "room.joined");
    auto said = request_with_broadcast(*alice, say(room, 2), [](const json& f) { return f["type"] == "ok"; });
    ASSERT_TRUE(said);
    ASSERT_EQ(said->first["seq"], 1);
    ASSERT_EQ(alice->request(leave(room, 3))->at("type"), "ok");
  }
  // Both rooms are stored (they have a message) and passivate. A third room opens, but its first
  // message cannot be stored: refused, and neither numbered nor broadcast.
  auto joined = once_a_place_is_free(*alice, join("c", 4));
  ASSERT_TRUE(joined);
  ASSERT_EQ((*joined)["type"], "room.joined") << *joined;
  EXPECT_TRUE(is_limit(alice->request(say("c", 5)), 5, "room 'c' cannot be stored"));
  EXPECT_TRUE(is_http_limit(http_post(port(), "/api/rooms/c/messages", R"({"text":"x","name":"curl"})"),
                            507, "room 'c' cannot be stored"));
  auto history = alice->request({{"type", "room.history"}, {"id", 6}, {"room", "c"}});
  ASSERT_TRUE(history);
  EXPECT_EQ((*history)["last_seq"], 0) << *history;
  EXPECT_EQ((*history)["messages"], json::array()) << "nothing was broadcast or kept";
  // The stored rooms carry on.
  ASSERT_EQ(once_a_place_is_free(*alice, join("a", 7))->at("type"), "room.joined");
  auto said = request_with_broadcast(*alice, say("a", 8), [](const json& f) { return f["type"] == "ok"; });
  ASSERT_TRUE(said);
  EXPECT_EQ(said->first["seq"], 2);
  EXPECT_TRUE(answers_ping(*alice));
}

TEST_F(limits_test, counters_beyond_the_limit_are_refused_and_one_back_at_zero_frees_its_place) {
  auto alice = connect();
  ASSERT_TRUE(next_frame_is_reply(*alice, inc("c1", 1, 1),
                                  {{"type", "counter.value"}, {"id", 1}, {"counter", "c1"}, {"value", 1}}));
  ASSERT_TRUE(next_frame_is_reply(*alice, inc("c2", 1, 2),
                                  {{"type", "counter.value"}, {"id", 2}, {"counter", "c2"}, {"value", 1}}));
  // Two counters are stored: once they have passivated, a third opens but cannot be stored.
  auto refused = once_a_place_is_free(*alice, inc("c3", 5, 3));
  EXPECT_TRUE(is_limit(refused, 3, "counter 'c3' cannot be stored"));
  EXPECT_TRUE(is_http_limit(http_post(port(), "/api/counters/c3/inc", ""), 507,
                            "counter 'c3' cannot be stored"));
  auto value = http_get(port(), "/api/counters/c3");
  ASSERT_TRUE(value);
  EXPECT_EQ(json::parse(value->body)["value"], 0) << "the refused change did not count";

  // c1 back at 0 is forgotten, which frees its place for c3.
  auto zero = once_a_place_is_free(*alice, inc("c1", -1, 4));
  ASSERT_TRUE(zero);
  EXPECT_EQ((*zero)["value"], 0) << *zero;
  auto now = once_a_place_is_free(*alice, inc("c3", 5, 5));
  ASSERT_TRUE(now);
  EXPECT_EQ(*now, json({{"type", "counter.value"}, {"id", 5}, {"counter", "c3"}, {"value", 5}}));
}

}  // namespace
}  // namespace troupe::it
