#include "bench/load/wire.hpp"

#include <gtest/gtest.h>

namespace troupe::load {
namespace {

TEST(ScanFrame, ReadsTopLevelTypeIdAndPayload) {
  const auto f = scan_frame(R"({"id":7,"payload":"xx","type":"echo","worker":0})");
  ASSERT_TRUE(f.valid);
  EXPECT_EQ(f.type, "echo");
  ASSERT_TRUE(f.id.has_value());
  EXPECT_EQ(*f.id, 7u);
  EXPECT_EQ(f.payload, "xx");
}

TEST(ScanFrame, PayloadIsAbsentUnlessAString) {
  EXPECT_FALSE(scan_frame(R"({"type":"echo","id":1})").payload.has_value());
  EXPECT_FALSE(scan_frame(R"({"type":"echo","payload":{"a":"xx"}})").payload.has_value());
  EXPECT_EQ(scan_frame(R"({"type":"echo","payload":""})").payload, "");
}

TEST(ScanFrame, IgnoresFieldsNestedInObjectsArraysAndStrings) {
  const auto f =
      scan_frame(R"({"from":{"id":99,"name":"m\"1"},"list":[{"id":3},"}"],"room":"r1","seq":4,)"
                 R"("text":"1 2 3","ts":17,"type":"room.message"})");
  ASSERT_TRUE(f.valid);
  EXPECT_EQ(f.type, "room.message");
  EXPECT_FALSE(f.id.has_value());
  EXPECT_EQ(f.text, "1 2 3");
}

TEST(ScanFrame, ToleratesWhitespace) {
  const auto f = scan_frame(" { \"type\" : \"ok\" ,\n \"id\" : 12 } ");
  ASSERT_TRUE(f.valid);
  EXPECT_EQ(f.type, "ok");
  EXPECT_EQ(f.id, 12u);
}

TEST(ScanFrame, RejectsWhatIsNotAnObject) {
  EXPECT_FALSE(scan_frame("r1").valid);
  EXPECT_FALSE(scan_frame(R"({"type":"echo")").valid);
  EXPECT_FALSE(scan_frame(R"({"type":)").valid);
  EXPECT_FALSE(scan_frame(R"({"a":{"b":1})").valid);
  EXPECT_TRUE(scan_frame("{}").valid);
}

TEST(ScanFrame, NonNumericIdIsAbsent) {
  EXPECT_FALSE(scan_frame(R"({"id":"7","type":"echo"})").id.has_value());
  EXPECT_FALSE(scan_frame(R"({"id":-1,"type":"echo"})").id.has_value());
}

TEST(Requests, AreTheProtocolsJson) {
  EXPECT_EQ(echo_request(7, "xx"), R"({"type":"echo","id":7,"payload":"xx"})");
  EXPECT_EQ(counter_inc_request(1, "hits"),
            R"({"type":"counter.inc","id":1,"counter":"hits","by":1})");
  EXPECT_EQ(room_join_request(target_kind::troupe, 1, "r1", "m1"),
            R"({"type":"room.join","id":1,"room":"r1","name":"m1"})");
  EXPECT_EQ(room_join_request(target_kind::baseline, 1, "r1", "m1"), "r1");
  EXPECT_EQ(room_say_request("r1", "hi"), R"({"type":"room.say","room":"r1","text":"hi"})");
  EXPECT_EQ(room_leave_request(3, "r1"), R"({"type":"room.leave","id":3,"room":"r1"})");
  // A request scans back to its own type and id (the baseline echoes it verbatim).
  const auto f = scan_frame(echo_request(42, std::string(1000, 'x')));
  EXPECT_EQ(f.type, echo_reply_type(target_kind::baseline));
  EXPECT_EQ(f.id, 42u);
}

TEST(Names, AreNumbered) {
  EXPECT_EQ(numbered("r", 0), "r0");
  EXPECT_EQ(numbered("m", 18999), "m18999");
}

TEST(Stamp, RoundTrips) {
  const stamp s{3, 123456789, 987654321012345};
  const auto back = parse_stamp(format_stamp(s));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->publisher, 3u);
  EXPECT_EQ(back->seq, 123456789u);
  EXPECT_EQ(back->sent_ns, 987654321012345);
}

TEST(Stamp, RejectsOtherText) {
  EXPECT_FALSE(parse_stamp("hello").has_value());
  EXPECT_FALSE(parse_stamp("1 2").has_value());
  EXPECT_FALSE(parse_stamp("1 2 3 4").has_value());
  EXPECT_FALSE(parse_stamp("").has_value());
}

}  // namespace
}  // namespace troupe::load
