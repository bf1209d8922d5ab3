// Encoders: each output parses back with nlohmann and has exactly the documented fields.
#include "server/protocol/encode.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <limits>
#include <string>
#include <vector>

namespace {

using namespace troupe::protocol;
using nlohmann::json;

json parsed(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << text;
  return j;
}

const request_id no_id;

TEST(encode, welcome) {
  EXPECT_EQ(
      parsed(encode_welcome("s-1", "host:8080")),
      json({{"type", "welcome"}, {"session", "s-1"}, {"node", "host:8080"}, {"protocol", 1}}));
}

TEST(encode, counter_value_with_and_without_id) {
  EXPECT_EQ(parsed(encode_counter_value(json(7), "hits", 5)),
            json({{"type", "counter.value"}, {"id", 7}, {"counter", "hits"}, {"value", 5}}));
  EXPECT_EQ(parsed(encode_counter_value(no_id, "hits", -5)),
            json({{"type", "counter.value"}, {"counter", "hits"}, {"value", -5}}));
  const auto min = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(parsed(encode_counter_value(json("a"), "c", min))["value"].get<std::int64_t>(), min);
}

TEST(encode, ids_keep_their_type_and_value) {
  const auto id_of = [](const request_id& id) { return parsed(encode_pong(id))["id"]; };
  EXPECT_EQ(id_of(json("req-1")), json("req-1"));
  EXPECT_EQ(id_of(json(42)), json(42));
  EXPECT_EQ(id_of(json(-42)), json(-42));
  const auto max = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(id_of(json(max)).get<std::uint64_t>(), max);
  EXPECT_EQ(id_of(json("q\"uo\\te\n")), json("q\"uo\\te\n"));
  EXPECT_FALSE(parsed(encode_pong(no_id)).contains("id"));
}

TEST(encode, exact_text_is_compact_with_type_first) {
  EXPECT_EQ(encode_pong(json(7)), R"({"type":"pong","id":7})");
  EXPECT_EQ(encode_pong(no_id), R"({"type":"pong"})");
  EXPECT_EQ(encode_ok(json("a"), 42), R"({"type":"ok","id":"a","seq":42})");
  EXPECT_EQ(encode_counter_value(no_id, "hits", 5),
            R"({"type":"counter.value","counter":"hits","value":5})");
}

TEST(encode, ok_with_and_without_seq) {
  EXPECT_EQ(parsed(encode_ok(json(1))), json({{"type", "ok"}, {"id", 1}}));
  EXPECT_EQ(parsed(encode_ok(no_id, std::nullopt)), json({{"type", "ok"}}));
  EXPECT_EQ(parsed(encode_ok(json(2), 42)), json({{"type", "ok"}, {"id", 2}, {"seq", 42}}));
  const auto max = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(parsed(encode_ok(no_id, max))["seq"].get<std::uint64_t>(), max);
}

chat_message sample_message(std::uint64_t seq, std::string session = "s-1") {
  return {"lobby", seq, {std::move(session), "alice"}, "hi \"all\"", 1700000000123};
}

json sample_message_json(std::uint64_t seq) {
  return {{"type", "room.message"},
          {"room", "lobby"},
          {"seq", seq},
          {"from", {{"session", "s-1"}, {"name", "alice"}}},
          {"text", "hi \"all\""},
          {"ts", 1700000000123}};
}

TEST(encode, room_message) {
  EXPECT_EQ(parsed(encode_room_message(sample_message(42))), sample_message_json(42));
}

TEST(encode, room_message_published_over_http_has_null_session) {
  const json j = parsed(encode_room_message(sample_message(1, "")));
  ASSERT_TRUE(j["from"].contains("session"));
  EXPECT_TRUE(j["from"]["session"].is_null());
  EXPECT_EQ(j["from"]["name"], "alice");
}

TEST(encode, room_joined_splices_history_verbatim) {
  const std::vector<std::string> stored = {encode_room_message(sample_message(1)),
                                           encode_room_message(sample_message(2))};
  const std::vector<std::string_view> history(stored.begin(), stored.end());
  const std::vector<member> members = {{"s-1", "alice"}, {"s-2", "bob"}};
  const json expected = {{"type", "room.joined"},
                         {"id", "j1"},
                         {"room", "lobby"},
                         {"members", json::array({{{"session", "s-1"}, {"name", "alice"}},
                                                  {{"session", "s-2"}, {"name", "bob"}}})},
                         {"history", json::array({sample_message_json(1), sample_message_json(2)})},
                         {"last_seq", 2},
                         {"epoch", "e-7"}};
  EXPECT_EQ(parsed(encode_room_joined(json("j1"), "lobby", members, history, 2, "e-7")), expected);
  // The same from the stored strings directly.
  EXPECT_EQ(parsed(encode_room_joined(json("j1"), "lobby", members, std::span(stored), 2, "e-7")),
            expected);
  // And the stored text appears unchanged inside the frame.
  EXPECT_NE(encode_room_joined(json("j1"), "lobby", members, history, 2, "e-7").find(stored[1]),
            std::string::npos);
}

TEST(encode, room_joined_empty) {
  EXPECT_EQ(parsed(encode_room_joined(no_id, "r", {}, std::span<const std::string_view>{}, 0, "e")),
            json({{"type", "room.joined"},
                  {"room", "r"},
                  {"members", json::array()},
                  {"history", json::array()},
                  {"last_seq", 0},
                  {"epoch", "e"}}));
}

TEST(encode, room_history) {
  const std::vector<std::string> stored = {encode_room_message(sample_message(41)),
                                           encode_room_message(sample_message(42))};
  const std::vector<std::string_view> views(stored.begin(), stored.end());
  const json expected = {
      {"type", "room.history"},
      {"id", 3},
      {"room", "lobby"},
      {"messages", json::array({sample_message_json(41), sample_message_json(42)})},
      {"last_seq", 42},
      {"epoch", "e-1"}};
  EXPECT_EQ(parsed(encode_room_history(json(3), "lobby", views, 42, "e-1")), expected);
  EXPECT_EQ(parsed(encode_room_history(json(3), "lobby", std::span(stored), 42, "e-1")), expected);
  EXPECT_EQ(parsed(encode_room_history(no_id, "lobby", std::span<const std::string_view>{}, 0,
                                       "e"))["messages"],
            json::array());
}

TEST(encode, room_presence) {
  EXPECT_EQ(parsed(encode_room_presence("lobby", "join", {"s-9", "zoë"})),
            json({{"type", "room.presence"},
                  {"room", "lobby"},
                  {"event", "join"},
                  {"member", {{"session", "s-9"}, {"name", "zoë"}}}}));
  EXPECT_EQ(parsed(encode_room_presence("lobby", "leave", {"s-9", "zoë"}))["event"], "leave");
}

TEST(encode, echo_returns_the_payload_unchanged) {
  const std::array<json, 7> payloads = {
      json::parse(R"({"a":[1,2.5,-3,"x\u0001y",null,true,{"b":{}}],"c":"日本😀"})"),
      json("plain"),
      json(nullptr),
      json(1.25),
      json(std::numeric_limits<std::uint64_t>::max()),
      json::array(),
      json::object()};
  for (const auto& payload : payloads) {
    EXPECT_EQ(parsed(encode_echo(json("e"), payload, 3)),
              json({{"type", "echo"}, {"id", "e"}, {"payload", payload}, {"worker", 3}}))
        << payload.dump();
  }
}

TEST(encode, pong) {
  EXPECT_EQ(parsed(encode_pong(json(5))), json({{"type", "pong"}, {"id", 5}}));
}

TEST(encode, error_for_every_code) {
  for (auto code :
       {error_code::bad_json, error_code::bad_request, error_code::unknown_type,
        error_code::not_member, error_code::overloaded, error_code::timeout, error_code::limit}) {
    EXPECT_EQ(parsed(encode_error(json(1), code, "what \"went\" wrong")),
              json({{"type", "error"},
                    {"id", 1},
                    {"code", std::string(to_string(code))},
                    {"message", "what \"went\" wrong"}}));
  }
  EXPECT_FALSE(parsed(encode_error(no_id, error_code::bad_json, "x")).contains("id"));
}

TEST(encode, error_from_a_decode_error) {
  const decode_error e{json("i"), error_code::unknown_type, "unknown type 'x'"};
  EXPECT_EQ(parsed(encode_error(e)), json({{"type", "error"},
                                           {"id", "i"},
                                           {"code", "unknown_type"},
                                           {"message", "unknown type 'x'"}}));
}

TEST(encode, http_error) {
  EXPECT_EQ(parsed(encode_http_error("not_found", "no room 'x'")),
            json({{"error", {{"code", "not_found"}, {"message", "no room 'x'"}}}}));
}

TEST(encode, decoded_text_round_trips_through_room_message) {
  // What a client sends comes back byte for byte in the broadcast.
  const std::string text = "quote \" backslash \\ tab \t nl \n nul " + std::string(1, '\0') +
                           " del \x7F é 中 😀 \xE2\x80\xA8";
  chat_message m = sample_message(1);
  m.text = text;
  m.from.name = "名前";
  const json j = parsed(encode_room_message(m));
  EXPECT_EQ(j["text"].get<std::string>(), text);
  EXPECT_EQ(j["from"]["name"].get<std::string>(), "名前");
}

}  // namespace
