// append_json_string / append_json_integer: escaping that always yields valid JSON, and UTF-8
// that round-trips.
#include "server/protocol/json_text.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <string>

namespace {

using troupe::protocol::append_json_integer;
using troupe::protocol::append_json_string;

std::string literal(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

// The literal parses back to `expected`.
void expect_round_trip(std::string_view s, std::string_view expected) {
  const std::string text = literal(s);
  const auto j = nlohmann::json::parse(text, nullptr, false);
  ASSERT_TRUE(j.is_string()) << "not a JSON string: " << text;
  EXPECT_EQ(j.get<std::string>(), expected) << text;
}

TEST(json_text, every_ascii_character_round_trips) {
  for (int c = 0; c < 0x80; ++c) {
    std::string s = "a";
    s += static_cast<char>(c);
    s += 'b';
    expect_round_trip(s, s);
  }
}

TEST(json_text, quotes_and_backslashes_are_escaped) {
  EXPECT_EQ(literal(R"(say "hi" \ bye)"), R"("say \"hi\" \\ bye")");
  expect_round_trip(R"(\"\\"")", R"(\"\\"")");
}

TEST(json_text, control_characters_are_escaped) {
  EXPECT_EQ(literal("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(literal(std::string("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  std::string all;
  for (int c = 0; c < 0x20; ++c) all += static_cast<char>(c);
  const std::string text = literal(all);
  for (char c : text) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "raw control byte";
  expect_round_trip(all, all);
}

TEST(json_text, utf8_is_copied_verbatim) {
  const std::string s = "caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF \xC2\x80";
  EXPECT_EQ(literal(s), "\"" + s + "\"");
  expect_round_trip(s, s);
}

TEST(json_text, ill_formed_utf8_becomes_replacement_characters) {
  const std::string fffd = "\xEF\xBF\xBD";
  expect_round_trip(
      "a\xFF"
      "b",
      "a" + fffd + "b");
  expect_round_trip("\xC0\xAF", fffd + fffd);                        // overlong '/'
  expect_round_trip("\xED\xA0\x80", fffd + fffd + fffd);             // surrogate U+D800
  expect_round_trip("\xF4\x90\x80\x80", fffd + fffd + fffd + fffd);  // above U+10FFFF
  expect_round_trip("end\xE2\x82", "end" + fffd + fffd);             // cut short
  expect_round_trip("\x80\xC3\xA9", fffd + "\xC3\xA9");              // lone continuation, then é
}

TEST(json_text, empty_string) {
  EXPECT_EQ(literal(""), "\"\"");
}

TEST(json_text, integers) {
  std::string out;
  append_json_integer(out, std::numeric_limits<std::int64_t>::min());
  out += ',';
  append_json_integer(out, std::numeric_limits<std::uint64_t>::max());
  out += ',';
  append_json_integer(out, 0);
  EXPECT_EQ(out, "-9223372036854775808,18446744073709551615,0");
}

}  // namespace
