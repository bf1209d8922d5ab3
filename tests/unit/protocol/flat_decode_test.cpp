// The flat fast path of decode(): scan_flat_object accepts exactly the shapes it promises and
// declines the rest, and wherever decode_flat answers, the general nlohmann path
// (decode_document) answers the same, checked on hand-picked and on randomly built frames.
#include "server/protocol/decode.hpp"
#include "server/protocol/flat_json.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace {

using namespace troupe::protocol;
using nlohmann::json;

// json's == treats 5u and 5 as equal; the fast path must produce the very same types.
::testing::AssertionResult same_json(const json& a, const json& b) {
  if (a.type() != b.type() || a != b || a.dump() != b.dump())
    return ::testing::AssertionFailure() << a.dump() << " (" << a.type_name() << ") vs " << b.dump()
                                         << " (" << b.type_name() << ")";
  return ::testing::AssertionSuccess();
}

// decode_flat's answer for `frame`, which must then be decode_document's too.
::testing::AssertionResult flat_agrees(const std::string& frame, bool* accepted = nullptr) {
  const limits lim{};
  const auto flat = decode_flat(frame, lim);
  if (accepted) *accepted = flat.has_value();
  if (!flat) return ::testing::AssertionSuccess();
  const auto general = decode_document(frame, lim);
  const auto* d = std::get_if<decoded>(&general);
  if (d == nullptr)
    return ::testing::AssertionFailure()
           << frame << ": flat accepted, the general path refused with '"
           << std::get<decode_error>(general).message << "'";
  if (flat->id.has_value() != d->id.has_value())
    return ::testing::AssertionFailure() << frame << ": ids differ in presence";
  if (flat->id) {
    if (auto r = same_json(*flat->id, *d->id); !r) return r << " (id of " << frame << ")";
  }
  if (!(flat->body == d->body)) return ::testing::AssertionFailure() << frame << ": bodies differ";
  if (const auto* e = std::get_if<echo>(&flat->body)) {
    if (auto r = same_json(e->payload, std::get<echo>(d->body).payload); !r)
      return r << " (payload of " << frame << ")";
  }
  return ::testing::AssertionSuccess();
}

TEST(scan_flat_object, reads_strings_integers_booleans_and_null_in_place) {
  const std::string text =
      R"( { "type" : "echo", "id":-42,"n": 0 ,"t":true,"f":false,"z":null,"s":""} )";
  const auto o = scan_flat_object(text);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->size(), 7u);
  ASSERT_TRUE(o->find("type"));
  EXPECT_EQ(o->find("type")->type, flat_value::kind::string);
  EXPECT_EQ(o->find("type")->text, "echo");
  EXPECT_GE(o->find("type")->text.data(), text.data());  // a view into the frame, not a copy
  EXPECT_LT(o->find("type")->text.data(), text.data() + text.size());
  EXPECT_EQ(o->find("id")->integer, -42);
  EXPECT_TRUE(o->find("id")->negative);
  EXPECT_EQ(o->find("n")->integer, 0);
  EXPECT_FALSE(o->find("n")->negative);
  EXPECT_TRUE(o->find("t")->boolean);
  EXPECT_EQ(o->find("f")->type, flat_value::kind::boolean);
  EXPECT_FALSE(o->find("f")->boolean);
  EXPECT_EQ(o->find("z")->type, flat_value::kind::null);
  EXPECT_EQ(o->find("s")->text, "");
  EXPECT_EQ(o->find("missing"), nullptr);
  EXPECT_TRUE(scan_flat_object("{}"));
  EXPECT_TRUE(scan_flat_object(R"({"big":999999999999999999,"neg":-999999999999999999})"));
}

TEST(scan_flat_object, declines_everything_else) {
  for (const char* text :
       {"",
        " ",
        "[]",
        "\"x\"",
        "1",
        "{",
        "}",
        "{}x",
        "{} {}",
        R"({"a":1,})",
        R"({,"a":1})",
        R"({"a" 1})",
        R"({"a":})",
        R"({a:1})",
        R"({'a':1})",
        R"({"a":1 "b":2})",
        R"({"a":{}})",
        R"({"a":[]})",
        R"({"a":[1]})",  // nesting
        R"({"a":"x\"y"})",
        R"({"a":"\u0041"})",
        R"({"a\n":1})",  // escapes
        "{\"a\":\"tab\there\"}",
        "{\"a\":\"\x7f\"}",
        "{\"a\":\"caf\xc3\xa9\"}",  // raw bytes
        "{\"\xc3\xa9\":1}",
        R"({"a":1.0})",
        R"({"a":1e3})",
        R"({"a":1E3})",
        R"({"a":-})",
        R"({"a":01})",
        R"({"a":-01})",
        R"({"a":+1})",
        R"({"a":1000000000000000000})",  // 19 digits
        R"({"a":tru})",
        R"({"a":True})",
        R"({"a":nul})",
        R"({"a":"unterminated})",
        R"({"a":1,"a":2})",                                            // duplicate keys
        R"({"1":1,"2":2,"3":3,"4":4,"5":5,"6":6,"7":7,"8":8,"9":9})",  // > 8 members
        "{\"a\":1}\v",
        "\f{\"a\":1}"}) {  // not JSON space
    EXPECT_FALSE(scan_flat_object(text)) << text;
  }
}

TEST(decode_flat, takes_the_common_requests_and_agrees_with_the_general_path) {
  for (const char* frame :
       {R"({"type":"echo","id":1,"payload":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})",
        R"({"type":"echo","payload":-0})", R"({"type":"echo","payload":null,"id":"a b"})",
        R"({"type":"echo","payload":true})", R"({"type":"echo","payload":123456789012345678})",
        R"({"type":"counter.inc","counter":"hits","id":7})",
        R"({"type":"counter.inc","counter":"hits","by":-999999999999999999})",
        R"({"type":"counter.get","counter":"a.b-c_d"})",
        R"({"type":"counter.watch","counter":"x"})",
        R"({"type":"counter.unwatch","counter":"x","id":-3})",
        R"({"type":"room.join","room":"lobby","name":"Ada Lovelace"})",
        R"({"type":"room.say","room":"lobby","text":"hello, world!","extra":null})",
        R"({"type":"room.history","room":"lobby","since":12})",
        R"({"type":"room.history","room":"lobby","since":-0})",
        R"({"type":"room.leave","room":"lobby"})", R"(  {"id":"first","type":"ping"}  )",
        "{\r\n\t\"type\" : \"ping\"\n}"}) {
    bool accepted = false;
    EXPECT_TRUE(flat_agrees(frame, &accepted));
    EXPECT_TRUE(accepted) << frame << " should take the flat path";
  }
}

TEST(decode_flat, leaves_every_refusal_to_the_general_path) {
  for (const char* frame :
       {R"({"type":"nope"})", R"({"id":1})", R"({"type":1})", R"({"type":"ping","id":true})",
        R"({"type":"ping","id":null})", R"({"type":"counter.inc"})",
        R"({"type":"counter.inc","counter":"bad name"})",
        R"({"type":"counter.inc","counter":"x","by":"1"})",
        R"({"type":"counter.inc","counter":"x","by":true})", R"({"type":"room.join","room":"r"})",
        R"({"type":"room.join","room":"r","name":""})",
        R"({"type":"room.history","room":"r","since":-1})",
        R"({"type":"room.say","room":"r","text":5})", R"({"type":"echo"})"}) {
    EXPECT_FALSE(decode_flat(frame, limits{})) << frame;
    EXPECT_TRUE(std::holds_alternative<decode_error>(decode(frame, limits{}))) << frame;
  }
  // Over the text limit: refused by the general path, with its message.
  const limits small{.max_text_bytes = 4};
  const std::string long_say = R"({"type":"room.say","room":"r","text":"12345"})";
  EXPECT_FALSE(decode_flat(long_say, small));
  EXPECT_TRUE(decode_flat(R"({"type":"room.say","room":"r","text":"1234"})", small));
  EXPECT_FALSE(decode_flat(R"({"type":"ping"})", limits{.max_depth = 0}));
}

// Frames assembled from pieces the flat path must get exactly right, some of which it must
// decline: every frame it accepts is checked against the general path.
TEST(decode_flat, agrees_with_the_general_path_on_random_frames) {
  const std::vector<std::string> keys{"type", "id",    "counter", "by",    "room", "name",
                                      "text", "since", "payload", "other", "type"};
  const std::vector<std::string> types{"\"echo\"",       "\"counter.inc\"", "\"counter.get\"",
                                       "\"room.join\"",  "\"room.say\"",    "\"room.history\"",
                                       "\"room.leave\"", "\"ping\"",        "\"counter.watch\""};
  const std::vector<std::string> values{
      "0",
      "-0",
      "1",
      "-1",
      "42",
      "999999999999999999",
      "-999999999999999999",
      "1000000000000000000",
      "18446744073709551615",
      "1.5",
      "2e2",
      "true",
      "false",
      "null",
      "\"\"",
      "\"x\"",
      "\"lobby\"",
      "\"Ada Lovelace\"",
      "\"bad name!\"",
      "\"a\\\"b\"",
      "\"\\u00e9\"",
      "\"caf\xc3\xa9\"",
      "\"12345678901234567890123456789012345678901234567890123456789012345\"",
      "{}",
      "[1,2]",
      "{\"k\":\"v\"}",
      "\" \"",
      "\"-\""};
  const std::vector<std::string> spaces{"", "", "", " ", "\n", "\t "};
  std::mt19937 rng(20261126);
  auto pick = [&](const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
  };
  int accepted_count = 0;
  for (int i = 0; i < 50000; ++i) {
    std::string frame = pick(spaces) + "{";
    const int members = std::uniform_int_distribution<int>(0, 5)(rng);
    for (int m = 0; m < members; ++m) {
      if (m) frame += ',' + pick(spaces);
      const std::string key = m == 0 ? "type" : pick(keys);
      frame += '"';
      frame += key;
      frame += '"';
      frame += pick(spaces) + ":" + pick(spaces);
      frame += key == "type" && rng() % 8 != 0 ? pick(types) : pick(values);
      frame += pick(spaces);
    }
    frame += '}' + pick(spaces);
    bool accepted = false;
    ASSERT_TRUE(flat_agrees(frame, &accepted));
    accepted_count += accepted ? 1 : 0;
  }
  EXPECT_GT(accepted_count, 1000);  // the comparison above really exercised the flat path
}

}  // namespace
