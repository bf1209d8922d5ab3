// The writer sends a batch of queued frames in one gather write. These bursts make batches form
// and check that nothing is lost, reordered or corrupted, and that control frames still go out
// right: pongs answer pings sent in the middle of a burst.
#include "tests/integration/support/server_fixture.hpp"

#include <string>

namespace troupe::it {
namespace {

class write_batching_test : public server_test {};

constexpr int burst = 600;

TEST_F(write_batching_test, a_burst_of_replies_arrives_whole_and_in_order_with_pongs_between) {
  auto c = connect();
  int pings = 0;
  for (int i = 0; i < burst; ++i) {
    // Payloads of growing size, so frame boundaries fall anywhere in a gather write.
    ASSERT_TRUE(c->send_json({{"type", "echo"}, {"id", i}, {"payload", std::string(i % 300, 'a' + i % 26)}}));
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

TEST_F(write_batching_test, a_member_sees_every_message_of_a_burst_once_and_in_sequence) {
  auto reader = connect();
  auto writer = connect();
  ASSERT_TRUE(reader->request({{"type", "room.join"}, {"room", "burst"}, {"name", "reader"}}));
  ASSERT_TRUE(writer->request({{"type", "room.join"}, {"room", "burst"}, {"name", "writer"}}));
  auto joined = reader->read_json();  // the writer's presence
  ASSERT_TRUE(joined);
  ASSERT_EQ((*joined)["type"], "room.presence") << *joined;

  for (int i = 0; i < burst; ++i) {
    ASSERT_TRUE(writer->send_json({{"type", "room.say"}, {"room", "burst"}, {"text", numbered("m", i)}}));
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

}  // namespace
}  // namespace troupe::it
