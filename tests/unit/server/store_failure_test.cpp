// A store that cannot keep a change (a full disk, a lost connection to the cluster) makes the
// request that needed it fail with `unavailable`, over WebSocket and over HTTP, and changes
// nothing else: the room keeps its members and the counter its watchers and value, so once the
// store recovers everything goes on as before.
// The server runs in-process, to be given a store whose writes fail while the test says so.
#include "server/server.hpp"
#include "tests/integration/support/http_client.hpp"
#include "tests/integration/support/ws_client.hpp"
#include "tests/support/forwarding_store.hpp"
#include "tests/unit/server/loopback_config.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

namespace troupe {
namespace {

using it::json;
using it::ws_client;

// A store whose writes fail while `failing` is set.
class failing_store final : public test::forwarding_store {
 public:
  std::atomic<bool> failing{false};

  boost::system::error_code save_counter(std::string_view c, std::int64_t v) override {
    if (failing) return make_error_code(boost::system::errc::no_space_on_device);
    return forwarding_store::save_counter(c, v);
  }
  boost::system::error_code append_message(std::string_view r, std::string_view epoch,
                                           stored_message m, std::size_t keep) override {
    if (failing) return make_error_code(boost::system::errc::no_space_on_device);
    return forwarding_store::append_message(r, epoch, std::move(m), keep);
  }
};

// The next frame on `c` is an `unavailable` error for request `id` whose message names `what`.
::testing::AssertionResult is_unavailable(ws_client& c, int id, const std::string& what) {
  auto frame = c.read_json();
  if (!frame) return ::testing::AssertionFailure() << frame.error().message();
  const auto& f = *frame;
  if (f.value("type", "") != "error" || f.value("id", 0) != id ||
      f.value("code", "") != "unavailable" ||
      f.value("message", "").find(what) == std::string::npos)
    return ::testing::AssertionFailure() << f;
  return ::testing::AssertionSuccess();
}

class store_failure_test : public ::testing::Test {
 protected:
  store_failure_test() {
    auto store = std::make_unique<failing_store>();
    store_ = store.get();
    server_ = std::make_unique<server>(cfg_, std::move(store));
  }
  std::uint16_t port() const { return server_->port(); }

  config cfg_ = test::loopback_config(2);
  failing_store* store_ = nullptr;
  std::unique_ptr<server> server_;
};

TEST_F(store_failure_test, a_room_keeps_its_members_through_a_message_it_could_not_store) {
  ws_client alice, bob;
  ASSERT_TRUE(alice.connect_welcome(port()));
  ASSERT_TRUE(bob.connect_welcome(port()));
  ASSERT_TRUE(alice.request({{"type", "room.join"}, {"room", "r"}, {"name", "alice"}}));
  ASSERT_TRUE(bob.request({{"type", "room.join"}, {"room", "r"}, {"name", "bob"}}));
  ASSERT_TRUE(alice.read_json());  // bob's presence

  store_->failing = true;
  ASSERT_TRUE(alice.send_json({{"type", "room.say"}, {"id", 1}, {"room", "r"}, {"text", "lost"}}));
  EXPECT_TRUE(is_unavailable(alice, 1, "room 'r'"));
  auto posted = it::http_post(port(), "/api/rooms/r/messages", R"({"text":"lost","name":"curl"})");
  ASSERT_TRUE(posted) << posted.error().message();
  EXPECT_EQ(posted->status, 503u) << posted->body;
  EXPECT_EQ(json::parse(posted->body)["error"]["code"], "unavailable") << posted->body;

  store_->failing = false;
  auto said = bob.request({{"type", "room.say"}, {"id", 2}, {"room", "r"}, {"text", "kept"}});
  ASSERT_TRUE(said) << said.error().message();
  auto heard = alice.read_json();  // the first frame since the failure: nothing was broadcast
  ASSERT_TRUE(heard) << heard.error().message();
  EXPECT_EQ((*heard)["type"], "room.message") << *heard;
  EXPECT_EQ((*heard)["seq"], 1) << "the refused messages used no number";
  EXPECT_EQ((*heard)["text"], "kept") << *heard;
  auto detail = it::http_get(port(), "/api/rooms/r");
  ASSERT_TRUE(detail) << detail.error().message();
  EXPECT_EQ(json::parse(detail->body)["members"].size(), 2u) << detail->body;
}

TEST_F(store_failure_test,
       a_counter_keeps_its_value_and_watchers_through_a_change_it_could_not_store) {
  ws_client alice, bob;
  ASSERT_TRUE(alice.connect_welcome(port()));
  ASSERT_TRUE(bob.connect_welcome(port()));
  ASSERT_TRUE(bob.request({{"type", "counter.watch"}, {"counter", "c"}}));
  ASSERT_TRUE(alice.request({{"type", "counter.inc"}, {"counter", "c"}, {"by", 5}}));
  auto five = bob.read_json();
  ASSERT_TRUE(five) << five.error().message();
  EXPECT_EQ((*five)["value"], 5) << *five;

  store_->failing = true;
  ASSERT_TRUE(alice.send_json({{"type", "counter.inc"}, {"id", 1}, {"counter", "c"}}));
  EXPECT_TRUE(is_unavailable(alice, 1, "counter 'c'"));
  auto posted = it::http_post(port(), "/api/counters/c/inc", "");
  ASSERT_TRUE(posted) << posted.error().message();
  EXPECT_EQ(posted->status, 503u) << posted->body;
  EXPECT_EQ(json::parse(posted->body)["error"]["code"], "unavailable") << posted->body;

  store_->failing = false;
  auto seven = alice.request({{"type", "counter.inc"}, {"counter", "c"}, {"by", 2}});
  ASSERT_TRUE(seven) << seven.error().message();
  EXPECT_EQ((*seven)["value"], 7) << *seven;
  auto pushed = bob.read_json();  // the first push since 5: the refused incs pushed nothing
  ASSERT_TRUE(pushed) << pushed.error().message();
  EXPECT_EQ((*pushed)["value"], 7) << *pushed;
}

}  // namespace
}  // namespace troupe
