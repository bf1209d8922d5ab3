// A session actor that fails (a bug: its handler throws) ends its connection with 1011, after
// the replies already queued, also in the middle of a flood of requests. The rest of the server
// carries on.
// The failure is injected through the store seam: a room.history of a room that is not open reads
// the store on the session's own coroutine, and this store throws for one room name.
#include "server/server.hpp"
#include "tests/integration/support/ws_client.hpp"
#include "tests/support/forwarding_store.hpp"
#include "tests/unit/server/loopback_config.hpp"

#include <gtest/gtest.h>
#include <boost/beast/websocket/rfc6455.hpp>

#include <memory>
#include <stdexcept>
#include <string>

namespace troupe {
namespace {

namespace websocket = boost::beast::websocket;
using it::json;
using it::ws_client;

constexpr std::string_view cursed_room = "cursed";

// A store whose reads of one room throw, as a bug in a store would.
class cursed_store final : public test::forwarding_store {
 public:
  room_record load_room(std::string_view r) override {
    refuse(r);
    return forwarding_store::load_room(r);
  }
  std::optional<room_record> find_room(std::string_view r) override {
    refuse(r);
    return forwarding_store::find_room(r);
  }

 private:
  static void refuse(std::string_view room) {
    if (room == cursed_room) throw std::logic_error("cursed_store: reading the cursed room");
  }
};

json echo_request(int id) {
  return {{"type", "echo"}, {"id", id}, {"payload", "x"}};
}

class session_failure_test : public ::testing::Test {
 protected:
  config cfg_ = test::loopback_config(1);
  server server_{cfg_, std::make_unique<cursed_store>()};
};

TEST_F(session_failure_test, a_failed_session_closes_with_1011_after_its_queued_replies) {
  ws_client c;
  ASSERT_TRUE(c.connect_welcome(server_.port()));
  ASSERT_TRUE(c.send_json(echo_request(1)));
  ASSERT_TRUE(c.send_json({{"type", "room.history"}, {"id", 2}, {"room", cursed_room}}));
  auto first = c.read_json();
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ((*first)["type"], "echo") << *first;
  EXPECT_EQ((*first)["id"], 1) << *first;
  auto reason = c.read_close();
  ASSERT_TRUE(reason) << reason.error().message();
  EXPECT_EQ(reason->code, websocket::close_code::internal_error) << reason->reason;

  ws_client other;  // the server carries on
  ASSERT_TRUE(other.connect_welcome(server_.port()));
  auto pong = other.request({{"type", "ping"}, {"id", 3}});
  ASSERT_TRUE(pong) << pong.error().message();
  EXPECT_EQ((*pong)["type"], "pong") << *pong;
}

TEST_F(session_failure_test, a_session_that_fails_amid_a_flood_answers_what_came_before_then_1011) {
  // More requests than the session's mailbox holds (256) on both sides of the failing one, sent
  // without reading.
  ws_client c;
  ASSERT_TRUE(c.connect_welcome(server_.port()));
  int id = 0;
  for (int i = 0; i < 400; ++i) ASSERT_TRUE(c.send_json(echo_request(++id)));
  ASSERT_TRUE(c.send_json({{"type", "room.history"}, {"id", ++id}, {"room", cursed_room}}));
  for (int i = 0; i < 400; ++i) ASSERT_TRUE(c.send_json(echo_request(++id)));

  int echoes = 0;
  for (;;) {
    auto m = c.read_json();
    if (!m) break;
    ASSERT_EQ((*m)["type"], "echo") << *m;
    ASSERT_EQ((*m)["id"], ++echoes)
        << "replies come in request order, none lost before the failure";
  }
  EXPECT_EQ(echoes, 400) << "every request before the failing one is answered";
  EXPECT_EQ(c.close_received().code, websocket::close_code::internal_error)
      << c.close_received().reason;
}

}  // namespace
}  // namespace troupe
