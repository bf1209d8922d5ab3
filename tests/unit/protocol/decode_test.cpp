// decode(): every request type, every error the decoder can produce, ids echoed as sent.
#include "server/protocol/decode.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace troupe::protocol;
using nlohmann::json;

decoded decoded_of(std::string_view frame, const limits& lim = {}) {
  auto r = decode(frame, lim);
  if (auto* e = std::get_if<decode_error>(&r)) {
    ADD_FAILURE() << frame << " was refused: " << to_string(e->code) << ": " << e->message;
    return {{}, ping{}};
  }
  return std::get<decoded>(std::move(r));
}

template <class T>
T request_of(std::string_view frame, const limits& lim = {}) {
  decoded d = decoded_of(frame, lim);
  if (!std::holds_alternative<T>(d.body)) {
    ADD_FAILURE() << frame << " decoded as " << type_name(d.body) << ", not " << T::wire_type;
    return {};
  }
  return std::get<T>(std::move(d.body));
}

decode_error error_of(std::string_view frame, const limits& lim = {}) {
  auto r = decode(frame, lim);
  if (auto* e = std::get_if<decode_error>(&r)) return std::move(*e);
  ADD_FAILURE() << frame << " decoded as " << type_name(std::get<decoded>(r).body)
                << " but should have been refused";
  return {{}, error_code::timeout, ""};
}

// The frame is refused with `code`, and the message mentions `mention`.
void expect_error(std::string_view frame, error_code code, std::string_view mention,
                  const limits& lim = {}) {
  SCOPED_TRACE(std::string(frame));
  const decode_error e = error_of(frame, lim);
  EXPECT_EQ(e.code, code) << to_string(e.code) << ": " << e.message;
  EXPECT_NE(e.message.find(mention), std::string::npos) << e.message;
}

TEST(decode, counter_inc_with_and_without_by) {
  auto r = request_of<counter_inc>(R"({"type":"counter.inc","counter":"hits","by":5})");
  EXPECT_EQ(r.counter, "hits");
  EXPECT_EQ(r.by, 5);
  EXPECT_EQ(request_of<counter_inc>(R"({"type":"counter.inc","counter":"hits"})").by, 1);
  EXPECT_EQ(request_of<counter_inc>(R"({"type":"counter.inc","counter":"a","by":-7})").by, -7);
  EXPECT_EQ(request_of<counter_inc>(R"({"type":"counter.inc","counter":"a","by":0})").by, 0);
}

TEST(decode, counter_inc_by_spans_signed_64_bits) {
  EXPECT_EQ(
      request_of<counter_inc>(R"({"type":"counter.inc","counter":"a","by":9223372036854775807})")
          .by,
      std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(
      request_of<counter_inc>(R"({"type":"counter.inc","counter":"a","by":-9223372036854775808})")
          .by,
      std::numeric_limits<std::int64_t>::min());
}

TEST(decode, counter_get_watch_unwatch) {
  EXPECT_EQ(request_of<counter_get>(R"({"type":"counter.get","counter":"c.1"})").counter, "c.1");
  EXPECT_EQ(request_of<counter_watch>(R"({"type":"counter.watch","counter":"c-2"})").counter,
            "c-2");
  EXPECT_EQ(request_of<counter_unwatch>(R"({"type":"counter.unwatch","counter":"c_3"})").counter,
            "c_3");
}

TEST(decode, room_join) {
  auto r = request_of<room_join>(R"({"type":"room.join","room":"lobby","name":"alice"})");
  EXPECT_EQ(r.room, "lobby");
  EXPECT_EQ(r.name, "alice");
  EXPECT_EQ(request_of<room_join>(R"({"type":"room.join","room":"r","name":"Zoë 🎉"})").name,
            "Zo\xC3\xAB \xF0\x9F\x8E\x89");
}

TEST(decode, room_say) {
  auto r = request_of<room_say>(R"({"type":"room.say","room":"lobby","text":"hi \"there\"\n"})");
  EXPECT_EQ(r.room, "lobby");
  EXPECT_EQ(r.text, "hi \"there\"\n");
  EXPECT_EQ(request_of<room_say>(R"({"type":"room.say","room":"lobby","text":""})").text, "");
}

TEST(decode, room_history_with_and_without_since) {
  auto r = request_of<room_history>(R"({"type":"room.history","room":"lobby","since":40})");
  EXPECT_EQ(r.room, "lobby");
  EXPECT_EQ(r.since, 40u);
  EXPECT_EQ(request_of<room_history>(R"({"type":"room.history","room":"lobby"})").since, 0u);
  EXPECT_EQ(
      request_of<room_history>(R"({"type":"room.history","room":"l","since":18446744073709551615})")
          .since,
      std::numeric_limits<std::uint64_t>::max());
}

TEST(decode, room_leave) {
  EXPECT_EQ(request_of<room_leave>(R"({"type":"room.leave","room":"lobby"})").room, "lobby");
}

TEST(decode, echo_keeps_any_payload) {
  const auto payload = json::parse(R"({"a":[1,2.5,"x",null,true,{"b":-3}],"c":"é"})");
  EXPECT_EQ(request_of<echo>(R"({"type":"echo","payload":)" + payload.dump() + "}").payload,
            payload);
  EXPECT_EQ(request_of<echo>(R"({"type":"echo","payload":null})").payload, json(nullptr));
  EXPECT_EQ(request_of<echo>(R"({"type":"echo","payload":"text"})").payload, json("text"));
  EXPECT_EQ(request_of<echo>(R"({"type":"echo","payload":12})").payload, json(12));
}

TEST(decode, ping) {
  const decoded d = decoded_of(R"({"type":"ping"})");
  EXPECT_TRUE(std::holds_alternative<ping>(d.body));
  EXPECT_FALSE(d.id.has_value());
}

TEST(decode, type_name_is_the_wire_type) {
  EXPECT_EQ(type_name(decoded_of(R"({"type":"room.say","room":"r","text":"t"})").body), "room.say");
  EXPECT_EQ(type_name(decoded_of(R"({"type":"ping"})").body), "ping");
}

TEST(decode, unknown_fields_are_ignored) {
  auto r = request_of<counter_get>(
      R"({"type":"counter.get","counter":"hits","extra":{"deep":[1]},"by":"not looked at"})");
  EXPECT_EQ(r.counter, "hits");
}

TEST(decode, ids_come_back_as_sent) {
  EXPECT_EQ(decoded_of(R"({"type":"ping","id":"abc-1"})").id, json("abc-1"));
  EXPECT_EQ(decoded_of(R"({"type":"ping","id":7})").id, json(7));
  EXPECT_EQ(decoded_of(R"({"id":-3,"type":"ping"})").id, json(-3));
  const auto big = decoded_of(R"({"type":"ping","id":18446744073709551615})").id;
  ASSERT_TRUE(big.has_value());
  EXPECT_TRUE(big->is_number_unsigned());
  EXPECT_EQ(big->get<std::uint64_t>(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(decoded_of(R"({"type":"ping","id":""})").id, json(""));
}

TEST(decode, errors_carry_the_id_when_it_is_valid) {
  EXPECT_EQ(error_of(R"({"type":"nope","id":9})").id, json(9));
  EXPECT_EQ(error_of(R"({"type":"counter.get","id":"q","counter":""})").id, json("q"));
  EXPECT_EQ(error_of(R"({"id":"no-type"})").id, json("no-type"));
  EXPECT_FALSE(error_of(R"({"type":"nope"})").id.has_value());
}

TEST(decode, ids_other_than_string_or_integer_are_bad_requests) {
  for (const char* id : {"1.5", "true", "null", "[1]", R"({"a":1})", "1e3"}) {
    const std::string frame = std::string(R"({"type":"ping","id":)") + id + "}";
    expect_error(frame, error_code::bad_request, "'id'");
    EXPECT_FALSE(error_of(frame).id.has_value()) << frame;
  }
}

TEST(decode, unparseable_frames_are_bad_json) {
  for (const char* frame : {"", " ", "{", "not json", R"({"type":"ping"} trailing)",
                            "{'type':'ping'}", R"({"type":"ping",})", "\xEF\xBB\xBF{"}) {
    expect_error(frame, error_code::bad_json, "not valid JSON");
  }
}

TEST(decode, invalid_utf8_anywhere_is_bad_json) {
  // JSON text is UTF-8, so such a frame is not JSON at all (and a WebSocket text frame may not
  // carry it either).
  expect_error("{\"type\":\"room.join\",\"room\":\"r\",\"name\":\"bad\xFF\"}", error_code::bad_json,
               "not valid JSON");
  expect_error("{\"type\":\"room.join\",\"room\":\"r\",\"name\":\"\xC0\xAF\"}",
               error_code::bad_json, "not valid JSON");
  expect_error(R"({"type":"room.join","room":"r","name":"\ud800"})", error_code::bad_json,
               "not valid JSON");
}

TEST(decode, frames_that_are_not_objects_are_bad_requests) {
  for (const char* frame : {"[]", R"(["ping"])", R"("ping")", "42", "null", "true"}) {
    expect_error(frame, error_code::bad_request, "must be a JSON object");
  }
}

TEST(decode, missing_or_non_string_type_is_bad_request) {
  expect_error(R"({})", error_code::bad_request, "missing field 'type'");
  expect_error(R"({"id":1,"counter":"x"})", error_code::bad_request, "missing field 'type'");
  expect_error(R"({"type":5})", error_code::bad_request, "field 'type' must be a string");
  expect_error(R"({"type":null})", error_code::bad_request, "field 'type' must be a string");
  expect_error(R"({"type":["ping"]})", error_code::bad_request, "field 'type' must be a string");
}

TEST(decode, unknown_types) {
  expect_error(R"({"type":"counter.dec","counter":"x"})", error_code::unknown_type,
               "'counter.dec'");
  expect_error(R"({"type":""})", error_code::unknown_type, "unknown type ''");
  expect_error(R"({"type":"PING"})", error_code::unknown_type, "'PING'");
  const decode_error long_type = error_of(R"({"type":")" + std::string(5000, 't') + R"("})");
  EXPECT_EQ(long_type.code, error_code::unknown_type);
  EXPECT_LT(long_type.message.size(), 300u) << "client text in messages is clipped";
}

TEST(decode, missing_required_fields) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"type":"counter.inc"})", "missing field 'counter'"},
      {R"({"type":"counter.inc","by":2})", "missing field 'counter'"},
      {R"({"type":"counter.get"})", "missing field 'counter'"},
      {R"({"type":"counter.watch"})", "missing field 'counter'"},
      {R"({"type":"counter.unwatch"})", "missing field 'counter'"},
      {R"({"type":"room.join","name":"a"})", "missing field 'room'"},
      {R"({"type":"room.join","room":"r"})", "missing field 'name'"},
      {R"({"type":"room.say","text":"t"})", "missing field 'room'"},
      {R"({"type":"room.say","room":"r"})", "missing field 'text'"},
      {R"({"type":"room.history"})", "missing field 'room'"},
      {R"({"type":"room.leave"})", "missing field 'room'"},
      {R"({"type":"echo"})", "missing field 'payload'"},
  };
  for (const auto& [frame, mention] : cases) expect_error(frame, error_code::bad_request, mention);
}

TEST(decode, wrongly_typed_fields) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"type":"counter.get","counter":5})", "field 'counter' must be a name"},
      {R"({"type":"counter.get","counter":null})", "field 'counter' must be a name"},
      {R"({"type":"counter.get","counter":["a"]})", "field 'counter' must be a name"},
      {R"({"type":"counter.inc","counter":"a","by":"5"})", "field 'by' must be a signed 64-bit"},
      {R"({"type":"counter.inc","counter":"a","by":1.5})", "field 'by' must be a signed 64-bit"},
      {R"({"type":"counter.inc","counter":"a","by":1.0})", "field 'by' must be a signed 64-bit"},
      {R"({"type":"counter.inc","counter":"a","by":true})", "field 'by' must be a signed 64-bit"},
      {R"({"type":"counter.inc","counter":"a","by":null})", "field 'by' must be a signed 64-bit"},
      {R"({"type":"counter.inc","counter":"a","by":9223372036854775808})",
       "field 'by' must be a signed 64-bit"},
      {R"({"type":"counter.inc","counter":"a","by":1e30})", "field 'by' must be a signed 64-bit"},
      {R"({"type":"room.join","room":{},"name":"a"})", "field 'room' must be a name"},
      {R"({"type":"room.join","room":"r","name":5})", "field 'name' must be a display name"},
      {R"({"type":"room.say","room":"r","text":5})", "field 'text' must be a string"},
      {R"({"type":"room.say","room":"r","text":["hi"]})", "field 'text' must be a string"},
      {R"({"type":"room.history","room":"r","since":-1})",
       "field 'since' must be a non-negative integer"},
      {R"({"type":"room.history","room":"r","since":"0"})",
       "field 'since' must be a non-negative integer"},
      {R"({"type":"room.history","room":"r","since":2.5})",
       "field 'since' must be a non-negative integer"},
      {R"({"type":"room.leave","room":true})", "field 'room' must be a name"},
  };
  for (const auto& [frame, mention] : cases) expect_error(frame, error_code::bad_request, mention);
}

TEST(decode, the_first_bad_field_is_reported) {
  expect_error(R"({"type":"room.join","room":"bad room","name":""})", error_code::bad_request,
               "'room'");
}

TEST(decode, invalid_names) {
  const std::string too_long(65, 'a');
  for (const std::string& name : {std::string(""), too_long, std::string("a b"), std::string("a/b"),
                                  std::string("caf\\u00e9"), std::string("a\\u0000"),
                                  std::string("lobby!"), std::string("#x")}) {
    expect_error(R"({"type":"counter.get","counter":")" + name + R"("})", error_code::bad_request,
                 "field 'counter' must be a name matching ^[A-Za-z0-9._-]{1,64}$");
    expect_error(R"({"type":"room.leave","room":")" + name + R"("})", error_code::bad_request,
                 "field 'room' must be a name matching ^[A-Za-z0-9._-]{1,64}$");
  }
  EXPECT_EQ(
      request_of<room_leave>(R"({"type":"room.leave","room":")" + std::string(64, 'z') + R"("})")
          .room.size(),
      64u);
  EXPECT_EQ(request_of<counter_get>(R"({"type":"counter.get","counter":"A.z_0-9"})").counter,
            "A.z_0-9");
}

TEST(decode, display_names) {
  const auto join = [](const std::string& name) {
    return R"({"type":"room.join","room":"r","name":")" + name + R"("})";
  };
  std::string e_acute_32;
  for (int i = 0; i < 32; ++i) e_acute_32 += "\xC3\xA9";
  std::string emoji_32;
  for (int i = 0; i < 32; ++i) emoji_32 += "\xF0\x9F\x98\x80";
  EXPECT_EQ(request_of<room_join>(join(std::string(32, 'n'))).name.size(), 32u);
  EXPECT_EQ(request_of<room_join>(join(e_acute_32)).name, e_acute_32);
  EXPECT_EQ(request_of<room_join>(join(emoji_32)).name, emoji_32);
  EXPECT_EQ(request_of<room_join>(join("a b\\u00a0c")).name,
            "a b\xC2\xA0"
            "c");

  for (const std::string& bad :
       {std::string(""), std::string(33, 'n'), e_acute_32 + "\xC3\xA9", std::string("tab\\t"),
        std::string("nul\\u0000"), std::string("del\\u007f"), std::string("c1\\u0085"),
        std::string("c1\\u009f"), std::string("nl\\n")}) {
    expect_error(join(bad), error_code::bad_request, "field 'name' must be a display name");
  }
}

TEST(decode, text_limit_counts_bytes) {
  const auto say = [](const std::string& text) {
    return R"({"type":"room.say","room":"r","text":")" + text + R"("})";
  };
  EXPECT_EQ(request_of<room_say>(say(std::string(4096, 'x'))).text.size(), 4096u);
  expect_error(say(std::string(4097, 'x')), error_code::bad_request,
               "field 'text' is 4097 bytes, over the limit of 4096");

  const limits small{.max_text_bytes = 10};
  EXPECT_EQ(
      request_of<room_say>(say("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"), small).text.size(),
      10u);
  expect_error(say("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"), error_code::bad_request,
               "field 'text' is 12 bytes, over the limit of 10", small);
  // An escape in the frame counts as the byte it stands for.
  EXPECT_EQ(request_of<room_say>(say(R"(\n\n\n\n\n\n\n\n\n\n)"), small).text,
            std::string(10, '\n'));
}

TEST(decode, nesting_is_limited) {
  const auto nested = [](int depth) {
    return R"({"type":"echo","payload":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
  };
  // The frame's own object is level 1.
  EXPECT_TRUE(request_of<echo>(nested(63)).payload.is_array());
  expect_error(nested(64), error_code::bad_request, "nest deeper than 64");
  expect_error(nested(100000), error_code::bad_request, "nest deeper than 64");
  // Brackets inside strings are text, not nesting.
  const std::string in_string =
      R"({"type":"echo","payload":")" + std::string(200, '[') + R"(\"{{{{"})";
  EXPECT_EQ(request_of<echo>(in_string).payload.get<std::string>().size(), 205u);
  EXPECT_TRUE(request_of<echo>(nested(5), limits{.max_depth = 6}).payload.is_array());
  expect_error(nested(6), error_code::bad_request, "nest deeper than 6", limits{.max_depth = 6});
}

TEST(decode, error_codes_have_wire_names_and_a_category) {
  EXPECT_EQ(to_string(error_code::bad_json), "bad_json");
  EXPECT_EQ(to_string(error_code::bad_request), "bad_request");
  EXPECT_EQ(to_string(error_code::unknown_type), "unknown_type");
  EXPECT_EQ(to_string(error_code::not_member), "not_member");
  EXPECT_EQ(to_string(error_code::overloaded), "overloaded");
  EXPECT_EQ(to_string(error_code::timeout), "timeout");
  EXPECT_EQ(to_string(error_code::limit), "limit");
  const std::error_code ec = error_code::overloaded;
  EXPECT_TRUE(ec);
  EXPECT_EQ(ec.message(), "overloaded");
  EXPECT_STREQ(ec.category().name(), "troupe.protocol");
}

// Valid frames cut short and randomly corrupted: decode must answer every one without throwing,
// with either a request or an error that has a message.
TEST(decode, never_throws_on_damaged_frames) {
  const std::vector<std::string> seeds = {
      R"({"type":"counter.inc","counter":"hits","by":5,"id":1})",
      R"({"type":"room.join","room":"lobby","name":"alice","id":"j"})",
      R"({"type":"room.say","room":"lobby","text":"h\u00e9llo \"x\" \\ \n"})",
      R"({"type":"room.history","room":"lobby","since":40})",
      R"({"type":"echo","payload":{"a":[1,2.5e3,-0,"\ud83d\ude00",null,true,{}]}})",
      R"({"type":"ping"})",
  };
  std::mt19937 rng(12345);
  std::size_t refused = 0;
  std::size_t accepted = 0;
  const auto check = [&](const std::string& frame) {
    std::variant<decoded, decode_error> r;
    ASSERT_NO_THROW(r = decode(frame, limits{})) << frame;
    if (auto* e = std::get_if<decode_error>(&r)) {
      EXPECT_FALSE(e->message.empty()) << frame;
      ++refused;
    } else {
      ++accepted;
    }
  };
  for (const auto& seed : seeds) {
    for (std::size_t n = 0; n <= seed.size(); ++n) check(seed.substr(0, n));
  }
  for (int round = 0; round < 20000; ++round) {
    std::string frame = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits && !frame.empty(); ++k) {
      const std::size_t at = rng() % frame.size();
      switch (rng() % 3) {
        case 0:
          frame[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          frame.erase(at, 1);
          break;
        default:
          frame.insert(at, 1, "{}[]\",:\\0a-"[rng() % 12]);
          break;
      }
    }
    check(frame);
  }
  EXPECT_GT(refused, 1000u);
  EXPECT_GT(accepted, 100u);
}

}  // namespace
