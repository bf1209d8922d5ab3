// Rooms over a real socket: join (members, history, presence), idempotent join, say, history
// with since, leave, presence when a member vanishes (alone, or with many at once), and
// publishing over HTTP.
#include "tests/integration/support/http_client.hpp"
#include "tests/integration/support/raw_connection.hpp"
#include "tests/integration/support/server_fixture.hpp"

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace troupe::it {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::system_clock;

class room_test : public server_test {};

json member(const ws_client& c, const std::string& name) {
  return {{"session", c.session()}, {"name", name}};
}

json join(const std::string& room, const std::string& name, const json& id) {
  return {{"type", "room.join"}, {"id", id}, {"room", room}, {"name", name}};
}

json presence(const std::string& room, const std::string& event, const json& who) {
  return {{"type", "room.presence"}, {"room", room}, {"event", event}, {"member", who}};
}

// Members in the room's order (by session id).
json members(json a, json b) {
  if (a["session"].get<std::string>() > b["session"].get<std::string>()) std::swap(a, b);
  return json::array({a, b});
}

// A room.message frame's fields other than ts are exactly these, and ts is "now" in ms.
::testing::AssertionResult is_message(const result<json>& frame, const std::string& room,
                                      std::uint64_t seq, const json& from,
                                      const std::string& text) {
  if (!frame) return ::testing::AssertionFailure() << "no frame: " << frame.error().message();
  const json expected = {
      {"type", "room.message"}, {"room", room}, {"seq", seq}, {"from", from}, {"text", text}};
  if (without(*frame, {"ts"}) != expected)
    return ::testing::AssertionFailure()
           << "got " << *frame << "\nexpected " << expected << " plus ts";
  const auto now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  const json& ts = (*frame)["ts"];
  if (!ts.is_number_integer() || std::abs(ts.get<std::int64_t>() - now) > 60'000)
    return ::testing::AssertionFailure()
           << "ts " << ts << " is not the time in ms (now " << now << ")";
  return ::testing::AssertionSuccess();
}

// `c` says `text` in `room`. Of the two frames it gets back, in either order, one is exactly the
// ok with `seq` (and `id`), the other its own copy of the message (stored in `*copy`).
::testing::AssertionResult says(ws_client& c, const std::string& room, const std::string& text,
                                std::uint64_t seq, const json& from, const json& id = nullptr,
                                json* copy = nullptr) {
  json request = {{"type", "room.say"}, {"room", room}, {"text", text}};
  json ok = {{"type", "ok"}, {"seq", seq}};
  if (!id.is_null()) request["id"] = ok["id"] = id;
  auto frames = request_with_broadcast(c, request, [](const json& f) { return f["type"] == "ok"; });
  if (!frames) return ::testing::AssertionFailure() << "no reply: " << frames.error().message();
  if (frames->first != ok)
    return ::testing::AssertionFailure() << "reply " << frames->first << ", expected " << ok;
  if (copy) *copy = frames->second;
  return is_message(frames->second, room, seq, from, text) << " (the sender's copy)";
}

TEST_F(room_test, join_lists_members_history_and_tells_the_others) {
  auto alice = connect();
  auto bob = connect();

  auto joined = alice->request(join("lobby", "alice", 1));
  ASSERT_TRUE(joined) << joined.error().message();
  ASSERT_TRUE((*joined)["epoch"].is_string()) << *joined;
  const auto epoch = (*joined)["epoch"].get<std::string>();
  EXPECT_FALSE(epoch.empty());
  EXPECT_EQ(*joined, json({{"type", "room.joined"},
                           {"id", 1},
                           {"room", "lobby"},
                           {"members", json::array({member(*alice, "alice")})},
                           {"history", json::array()},
                           {"last_seq", 0},
                           {"epoch", epoch}}));

  auto second = bob->request(join("lobby", "bob", "j"));
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(*second, json({{"type", "room.joined"},
                           {"id", "j"},
                           {"room", "lobby"},
                           {"members", members(member(*alice, "alice"), member(*bob, "bob"))},
                           {"history", json::array()},
                           {"last_seq", 0},
                           {"epoch", epoch}}));
  // The others hear of the join; the joiner does not hear of itself.
  EXPECT_TRUE(next_frame_is(*alice, presence("lobby", "join", member(*bob, "bob"))));
  EXPECT_TRUE(answers_ping(*bob));
}

TEST_F(room_test, joining_twice_is_idempotent) {
  auto alice = connect();
  auto bob = connect();
  ASSERT_TRUE(alice->request(join("r", "alice", 1)));
  ASSERT_TRUE(bob->request(join("r", "bob", 1)));
  ASSERT_TRUE(next_frame_is(*alice, presence("r", "join", member(*bob, "bob"))));

  auto again = bob->request(join("r", "bob", 2));
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(without(*again, {"epoch"}),
            json({{"type", "room.joined"},
                  {"id", 2},
                  {"room", "r"},
                  {"members", members(member(*alice, "alice"), member(*bob, "bob"))},
                  {"history", json::array()},
                  {"last_seq", 0}}));
  // No second presence event: the room pushes presence before it replies, so it would come
  // before alice's pong.
  EXPECT_TRUE(answers_ping(*alice)) << "a second presence event for an idempotent join";

  // Still one member: one copy of each message.
  EXPECT_TRUE(says(*bob, "r", "once", 1, member(*bob, "bob"), 3));
  EXPECT_TRUE(is_message(alice->read_json(), "r", 1, member(*bob, "bob"), "once"));
  EXPECT_TRUE(answers_ping(*alice));
  EXPECT_TRUE(answers_ping(*bob));

  // Joining again under another name keeps the first: the member list and the messages still
  // say "bob", and nobody hears of a change.
  auto renamed = bob->request(join("r", "mallory", 4));
  ASSERT_TRUE(renamed) << renamed.error().message();
  EXPECT_EQ((*renamed)["members"], members(member(*alice, "alice"), member(*bob, "bob")));
  EXPECT_TRUE(answers_ping(*alice)) << "a presence event for a second join under another name";
  EXPECT_TRUE(says(*bob, "r", "still bob", 2, member(*bob, "bob"), 5));
  EXPECT_TRUE(is_message(alice->read_json(), "r", 2, member(*bob, "bob"), "still bob"));
}

// What a room sends a member after its join never overtakes the room.joined reply: while one
// member talks without pause, others join, and each hears room.joined first, then the messages
// that follow its last_seq, without a gap or a repeat.
TEST_F(room_test, room_joined_comes_before_what_the_room_sends_after_it) {
  constexpr int joiners = 10;
  constexpr int texts = 300;  // the talker's replies and copies stay within its outbox
  auto talker = connect();
  ASSERT_TRUE(talker->request(join("busy", "talker", 0)));
  std::vector<std::unique_ptr<ws_client>> late;
  for (int i = 0; i < joiners; ++i) late.push_back(connect());
  for (int i = 1; i <= texts; ++i)
    ASSERT_TRUE(talker->send_json(
        {{"type", "room.say"}, {"id", i}, {"room", "busy"}, {"text", numbered("m", i)}}));
  for (int i = 0; i < joiners; ++i) ASSERT_TRUE(late[i]->send_json(join("busy", "late", i)));

  for (int i = 0; i < joiners; ++i) {
    auto joined = late[i]->read_json();
    ASSERT_TRUE(joined) << joined.error().message();
    ASSERT_EQ((*joined)["type"], "room.joined") << "joiner " << i << " heard first: " << *joined;
    EXPECT_EQ((*joined)["id"], i);
    auto next = (*joined)["last_seq"].get<std::uint64_t>() + 1;
    while (next <= texts) {
      auto f = late[i]->read_json();
      ASSERT_TRUE(f) << f.error().message();
      if ((*f)["type"] == "room.presence") continue;  // the joiners after this one
      ASSERT_EQ((*f)["type"], "room.message") << *f;
      ASSERT_EQ((*f)["seq"], next)
          << "joiner " << i << " joined at " << (*joined)["last_seq"] << ": " << *f;
      ++next;
    }
  }
}

TEST_F(room_test, say_reaches_every_member_including_the_sender) {
  auto alice = connect();
  auto bob = connect();
  auto carol = connect();  // not a member: hears nothing
  ASSERT_TRUE(alice->request(join("chat", "alice", 1)));
  ASSERT_TRUE(bob->request(join("chat", "Bob Ünïcode", 1)));
  ASSERT_TRUE(next_frame_is(*alice, presence("chat", "join", member(*bob, "Bob Ünïcode"))));

  EXPECT_TRUE(says(*alice, "chat", "hello \"world\"", 1, member(*alice, "alice"), "s1"));
  EXPECT_TRUE(is_message(bob->read_json(), "chat", 1, member(*alice, "alice"), "hello \"world\""));

  EXPECT_TRUE(says(*bob, "chat", "", 2, member(*bob, "Bob Ünïcode"), 2));
  EXPECT_TRUE(is_message(alice->read_json(), "chat", 2, member(*bob, "Bob Ünïcode"), ""));

  EXPECT_TRUE(answers_ping(*carol));
}

TEST_F(room_test, history_since_returns_later_messages_oldest_first) {
  auto alice = connect();
  auto joined = alice->request(join("h", "alice", 1));
  ASSERT_TRUE(joined) << joined.error().message();
  const json epoch = (*joined)["epoch"];
  std::vector<json> said;
  for (int i = 1; i <= 4; ++i) {
    const std::string text = numbered("m", i);
    json copy;
    ASSERT_TRUE(says(*alice, "h", text, i, member(*alice, "alice"), nullptr, &copy));
    said.push_back(copy);
  }

  EXPECT_TRUE(next_frame_is_reply(
      *alice, {{"type", "room.history"}, {"id", 2}, {"room", "h"}, {"since", 2}},
      {{"type", "room.history"},
       {"id", 2},
       {"room", "h"},
       {"messages", {said[2], said[3]}},
       {"last_seq", 4},
       {"epoch", epoch}}));
  EXPECT_TRUE(next_frame_is_reply(*alice, {{"type", "room.history"}, {"id", 3}, {"room", "h"}},
                                  {{"type", "room.history"},
                                   {"id", 3},
                                   {"room", "h"},
                                   {"messages", said},
                                   {"last_seq", 4},
                                   {"epoch", epoch}}));
  EXPECT_TRUE(next_frame_is_reply(
      *alice, {{"type", "room.history"}, {"id", 4}, {"room", "h"}, {"since", 4}},
      {{"type", "room.history"},
       {"id", 4},
       {"room", "h"},
       {"messages", json::array()},
       {"last_seq", 4},
       {"epoch", epoch}}));

  // A newcomer's room.joined carries the history too; history needs no membership.
  auto bob = connect();
  auto bob_joined = bob->request(join("h", "bob", 5));
  ASSERT_TRUE(bob_joined) << bob_joined.error().message();
  EXPECT_EQ((*bob_joined)["history"], json(said));
  EXPECT_EQ((*bob_joined)["last_seq"], 4);
  EXPECT_EQ((*bob_joined)["epoch"], epoch);
  auto carol = connect();
  EXPECT_TRUE(next_frame_is_reply(
      *carol, {{"type", "room.history"}, {"id", 1}, {"room", "h"}, {"since", 3}},
      {{"type", "room.history"},
       {"id", 1},
       {"room", "h"},
       {"messages", {said[3]}},
       {"last_seq", 4},
       {"epoch", epoch}}));
}

TEST_F(room_test, leave_answers_ok_and_tells_the_others) {
  auto alice = connect();
  auto bob = connect();
  ASSERT_TRUE(alice->request(join("l", "alice", 1)));
  ASSERT_TRUE(bob->request(join("l", "bob", 1)));
  ASSERT_TRUE(next_frame_is(*alice, presence("l", "join", member(*bob, "bob"))));

  EXPECT_TRUE(next_frame_is_reply(*bob, {{"type", "room.leave"}, {"id", "bye"}, {"room", "l"}},
                                  {{"type", "ok"}, {"id", "bye"}}));
  EXPECT_TRUE(next_frame_is(*alice, presence("l", "leave", member(*bob, "bob"))));
  EXPECT_TRUE(answers_ping(*bob)) << "the leaver heard of its own leave";

  // Gone means gone: no more messages, and saying is refused.
  EXPECT_TRUE(says(*alice, "l", "anyone?", 1, member(*alice, "alice"), 2));
  EXPECT_TRUE(answers_ping(*bob)) << "a message reached a member that left";
  EXPECT_TRUE(
      is_error(bob->request({{"type", "room.say"}, {"id", 3}, {"room", "l"}, {"text", "x"}}),
               "not_member", 3));
}

TEST_F(room_test, a_vanished_member_is_announced_as_leaving) {
  auto alice = connect();
  auto bob = connect();
  ASSERT_TRUE(alice->request(join("p", "alice", 1)));
  ASSERT_TRUE(bob->request(join("p", "bob", 1)));
  ASSERT_TRUE(next_frame_is(*alice, presence("p", "join", member(*bob, "bob"))));
  const json bob_member = member(*bob, "bob");

  bob->abort();  // no close handshake: the TCP connection just ends
  EXPECT_TRUE(next_frame_is(*alice, presence("p", "leave", bob_member)));

  auto detail = http_get(port(), "/api/rooms/p");
  ASSERT_TRUE(detail) << detail.error().message();
  EXPECT_EQ(json::parse(detail->body)["members"], json::array({member(*alice, "alice")}));
}

TEST_F(room_test, a_closed_connection_leaves_its_rooms) {
  auto alice = connect();
  auto bob = connect();
  ASSERT_TRUE(alice->request(join("q", "alice", 1)));
  ASSERT_TRUE(bob->request(join("q", "bob", 1)));
  ASSERT_TRUE(next_frame_is(*alice, presence("q", "join", member(*bob, "bob"))));
  const json bob_member = member(*bob, "bob");
  ASSERT_TRUE(bob->close());
  EXPECT_TRUE(next_frame_is(*alice, presence("q", "leave", bob_member)));
}

// A WebSocket over a raw socket, to send and withhold exactly what a test says: a client that
// never closes its TCP connection.
class raw_member {
 public:
  explicit raw_member(std::uint16_t port) : c_(port) {}

  ::testing::AssertionResult joins(std::string_view room, std::string_view name) {
    if (!c_.send(upgrade_request("127.0.0.1"))) return ::testing::AssertionFailure() << "send";
    auto welcome = c_.read_until(R"("protocol":1})");  // the 101, then the welcome frame
    if (!welcome || !welcome->starts_with("HTTP/1.1 101 "))
      return ::testing::AssertionFailure() << (welcome ? *welcome : welcome.error().message());
    const auto at = welcome->find(R"("session":")");
    if (at == std::string::npos) return ::testing::AssertionFailure() << *welcome;
    session_ = welcome->substr(at + 11, welcome->find('"', at + 11) - at - 11);
    const json request = {{"type", "room.join"}, {"room", room}, {"name", name}};
    if (!c_.send(masked_frame(0x1, request.dump()))) return ::testing::AssertionFailure() << "send";
    auto joined = c_.read_until(R"("type":"room.joined")");
    if (!joined) return ::testing::AssertionFailure() << joined.error().message();
    return ::testing::AssertionSuccess();
  }
  result<void> send(unsigned char opcode, std::string_view payload) {
    return c_.send(masked_frame(opcode, payload));
  }
  // Reads until the server's close frame (opcode 0x8) with this code has come.
  result<std::string> read_close(std::uint16_t code) {
    const char frame[] = {'\x88', '\x02', static_cast<char>(code >> 8),
                          static_cast<char>(code & 0xff)};
    return c_.read_until(std::string_view(frame, sizeof frame));
  }
  const std::string& session() const { return session_; }

 private:
  raw_connection c_;
  std::string session_;
};

// `alice` and `bob` join `room`, and alice hears that bob did.
::testing::AssertionResult both_join(ws_client& alice, raw_member& bob, const std::string& room) {
  if (auto joined = alice.request(join(room, "alice", 1)); !joined)
    return ::testing::AssertionFailure() << joined.error().message();
  if (auto joined = bob.joins(room, "bob"); !joined) return joined;
  return next_frame_is(alice,
                       presence(room, "join", {{"session", bob.session()}, {"name", "bob"}}));
}

// A client that ends the closing handshake but keeps its TCP connection open leaves its rooms
// at once, not when its socket closes or at the idle timeout (a minute): the server waits for
// its FIN only a moment.
TEST_F(room_test, a_member_that_closes_but_keeps_its_socket_leaves_its_rooms_at_once) {
  auto alice = connect();
  raw_member bob(port());
  ASSERT_TRUE(both_join(*alice, bob, "linger"));

  ASSERT_TRUE(bob.send(0x8, std::string("\x03\xe8", 2)));  // close, 1000
  auto echoed = bob.read_close(1000);
  ASSERT_TRUE(echoed) << echoed.error().message();
  EXPECT_TRUE(next_frame_is(
      *alice, presence("linger", "leave", {{"session", bob.session()}, {"name", "bob"}})));
}

class closing_room_test : public server_test {
 protected:
  troupe_options options() const override {
    return {{"--handshake-timeout-ms", "1000"}, {}, false};
  }
};

// A client the server closes (1003 for a binary frame) that neither answers the close nor closes
// its socket leaves its rooms once the handshake timeout has passed (Beast times the closing
// handshake).
TEST_F(closing_room_test, a_member_that_never_answers_the_servers_close_leaves_its_rooms) {
  auto alice = connect();
  raw_member bob(port());
  ASSERT_TRUE(both_join(*alice, bob, "mute"));

  ASSERT_TRUE(bob.send(0x2, "binary"));
  auto refused = bob.read_close(1003);
  ASSERT_TRUE(refused) << refused.error().message();
  EXPECT_TRUE(next_frame_is(
      *alice, presence("mute", "leave", {{"session", bob.session()}, {"name", "bob"}})));
}

TEST_F(room_test, http_publish_reaches_members_without_a_session) {
  auto alice = connect();
  ASSERT_TRUE(alice->request(join("news", "alice", 1)));
  ASSERT_TRUE(says(*alice, "news", "first", 1, member(*alice, "alice")));

  auto posted =
      http_post(port(), "/api/rooms/news/messages", R"({"text":"from curl","name":"curl"})");
  ASSERT_TRUE(posted) << posted.error().message();
  EXPECT_EQ(posted->status, 200u) << posted->body;
  EXPECT_EQ(posted->header("content-type"), "application/json");
  EXPECT_EQ(json::parse(posted->body), json({{"seq", 2}}));
  EXPECT_TRUE(is_message(alice->read_json(), "news", 2, {{"session", nullptr}, {"name", "curl"}},
                         "from curl"));

  // A room nobody joined takes HTTP messages too, and keeps them.
  auto lonely = http_post(port(), "/api/rooms/empty/messages", R"({"text":"hello?","name":"bot"})");
  ASSERT_TRUE(lonely) << lonely.error().message();
  EXPECT_EQ(lonely->status, 200u) << lonely->body;
  EXPECT_EQ(json::parse(lonely->body), json({{"seq", 1}}));
  auto history = alice->request({{"type", "room.history"}, {"room", "empty"}});
  ASSERT_TRUE(history) << history.error().message();
  ASSERT_EQ((*history)["messages"].size(), 1u) << *history;
  EXPECT_TRUE(is_message((*history)["messages"][0], "empty", 1,
                         {{"session", nullptr}, {"name", "bot"}}, "hello?"));
}

// Members that vanish together all leave, though most of their leaves find the room's mailbox
// full (one io thread, mailboxes of 4, the server stopped while the connections drop): a room
// keeps no ghost members, and the one who stays hears each of them leave exactly once.
class crowded_room_test : public server_test {
 protected:
  troupe_options options() const override {
    return {{"--threads", "1", "--mailbox-capacity", "4"}, {}, false};
  }
};

TEST_F(crowded_room_test, members_that_vanish_together_all_leave_the_room) {
  auto stay = connect();
  ASSERT_TRUE(stay->request(join("crowd", "stay", 0)));
  constexpr int leaving = 24;
  std::vector<std::unique_ptr<ws_client>> gone;
  std::set<std::string> gone_sessions;
  for (int i = 0; i < leaving; ++i) {
    gone.push_back(connect());
    ASSERT_TRUE(gone.back()->request(join("crowd", numbered("m", i), 1)));
    gone_sessions.insert(gone.back()->session());
    ASSERT_TRUE(stay->read_json());  // its join presence
  }
  ASSERT_TRUE(server().pause());
  for (auto& c : gone) c->abort();
  server().resume();

  const json only_stay = json::array({member(*stay, "stay")});
  json listed;
  for (int tries = 0; tries < 100 && listed != only_stay; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto detail = http_get(port(), "/api/rooms/crowd");
    ASSERT_TRUE(detail);
    if (detail->status == 503u) continue;  // overloaded: its small mailbox is full of leaves
    ASSERT_EQ(detail->status, 200u) << detail->body;
    listed = json::parse(detail->body)["members"];
  }
  EXPECT_EQ(listed, only_stay) << "ghosts stayed in the room";

  std::set<std::string> heard_leaving;
  for (int i = 0; i < leaving; ++i) {
    auto f = stay->read_json();
    ASSERT_TRUE(f) << "leave " << i << ": " << f.error().message();
    ASSERT_EQ((*f)["event"], "leave") << *f;
    EXPECT_TRUE(heard_leaving.insert((*f)["member"]["session"].get<std::string>()).second)
        << "a second leave for " << *f;
  }
  EXPECT_EQ(heard_leaving, gone_sessions);
  EXPECT_TRUE(answers_ping(*stay)) << "no further frame, such as a late duplicate leave";

  auto late = connect();
  auto joined = late->request(join("crowd", "late", 2));
  ASSERT_TRUE(joined);
  EXPECT_EQ((*joined)["members"], members(member(*stay, "stay"), member(*late, "late")));
}

}  // namespace
}  // namespace troupe::it
