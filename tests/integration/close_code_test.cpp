// Close codes the server chooses: 1003 for binary data, 1009 for a message over
// --max-message-bytes, 1007 for text that is not UTF-8. Other connections carry on.
#include "tests/integration/support/server_fixture.hpp"

#include <boost/beast/websocket/rfc6455.hpp>

namespace troupe::it {
namespace {

namespace websocket = boost::beast::websocket;

class close_code_test : public server_test {
 protected:
  troupe_options options() const override { return {{"--max-message-bytes", "1024", "--max-text-bytes", "512"}, {}, false}; }
};

TEST_F(close_code_test, binary_frame_closes_with_1003) {
  auto c = connect();
  auto bystander = connect();
  ASSERT_TRUE(c->send_binary(R"({"type":"ping"})"));
  auto reason = c->read_close();
  ASSERT_TRUE(reason) << reason.error().message();
  EXPECT_EQ(reason->code, websocket::close_code::unknown_data) << reason->reason;
  EXPECT_TRUE(answers_ping(*bystander));
}

TEST_F(close_code_test, message_over_max_message_bytes_closes_with_1009) {
  auto c = connect();
  auto bystander = connect();
  // Exactly the limit is fine.
  const std::string prefix = R"({"type":"echo","payload":")";
  const std::string suffix = R"("})";
  const std::string at_limit =
      prefix + std::string(1024 - prefix.size() - suffix.size(), 'x') + suffix;
  ASSERT_EQ(at_limit.size(), 1024u);
  ASSERT_TRUE(c->send_text(at_limit));
  auto echoed = c->read_json();
  ASSERT_TRUE(echoed) << echoed.error().message();
  EXPECT_EQ((*echoed)["type"], "echo") << *echoed;

  ASSERT_TRUE(c->send_text(prefix + std::string(2048, 'x') + suffix));
  auto reason = c->read_close();
  ASSERT_TRUE(reason) << reason.error().message();
  EXPECT_EQ(reason->code, websocket::close_code::too_big);
  EXPECT_TRUE(answers_ping(*bystander));
}

TEST_F(close_code_test, text_that_is_not_utf8_closes_with_1007) {
  auto c = connect();
  ASSERT_TRUE(c->send_text("{\"type\":\"ping\",\"id\":\"\xff\xfe\"}"));
  auto reason = c->read_close();
  ASSERT_TRUE(reason) << reason.error().message();
  EXPECT_EQ(reason->code, websocket::close_code::bad_payload);
}

TEST_F(close_code_test, a_normal_close_is_answered) {
  auto c = connect();
  auto closed = c->close();
  EXPECT_TRUE(closed) << closed.error().message();
}

}  // namespace
}  // namespace troupe::it
