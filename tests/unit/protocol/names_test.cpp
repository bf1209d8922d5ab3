// valid_name, valid_display_name and the strict UTF-8 decoder under them.
#include "server/protocol/names.hpp"

#include "server/protocol/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace troupe::protocol;

TEST(names, valid_names) {
  EXPECT_TRUE(valid_name("lobby"));
  EXPECT_TRUE(valid_name("A-Z.a_z-0.9"));
  EXPECT_TRUE(valid_name("x"));
  EXPECT_TRUE(valid_name(std::string(64, 'n')));
  EXPECT_TRUE(valid_name("..."));
}

TEST(names, invalid_names) {
  EXPECT_FALSE(valid_name(""));
  EXPECT_FALSE(valid_name(std::string(65, 'n')));
  for (const char* bad : {"a b", "a/b", "a:b", "a+b", "a@b", "caf\xC3\xA9", "tab\t", "a\"b"}) {
    EXPECT_FALSE(valid_name(bad)) << bad;
  }
  EXPECT_FALSE(valid_name(std::string("a\0b", 3)));
}

TEST(names, display_name_lengths_count_code_points) {
  EXPECT_TRUE(valid_display_name("a"));
  EXPECT_TRUE(valid_display_name(std::string(32, 'a')));
  EXPECT_FALSE(valid_display_name(std::string(33, 'a')));
  EXPECT_FALSE(valid_display_name(""));
  std::string wide;
  for (int i = 0; i < 32; ++i) wide += "\xF0\x9F\x98\x80";  // 32 code points, 128 bytes
  EXPECT_TRUE(valid_display_name(wide));
  EXPECT_FALSE(valid_display_name(wide + "a"));
}

TEST(names, display_names_reject_control_characters) {
  EXPECT_TRUE(valid_display_name("Zo\xC3\xAB and Bj\xC3\xB6rk"));
  EXPECT_TRUE(
      valid_display_name("no\xC2\xA0"
                         "break"));  // U+00A0 is not a control character
  EXPECT_FALSE(valid_display_name(std::string("a\0b", 3)));
  EXPECT_FALSE(valid_display_name("a\x1F"));
  EXPECT_FALSE(valid_display_name("a\x7F"));
  EXPECT_FALSE(valid_display_name("a\xC2\x80"));  // U+0080, C1
  EXPECT_FALSE(valid_display_name("a\xC2\x9F"));  // U+009F, C1
  EXPECT_FALSE(valid_display_name("line\n"));
}

TEST(names, display_names_reject_ill_formed_utf8) {
  for (const char* bad : {"\xFF", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                          "\xF5\x80\x80\x80", "\x80", "ab\xE2\x82", "\xC3"}) {
    EXPECT_FALSE(valid_display_name(bad)) << bad;
  }
}

TEST(utf8, decodes_boundaries) {
  const std::pair<const char*, char32_t> cases[] = {
      {"\x7F", 0x7F},
      {"\xC2\x80", 0x80},
      {"\xDF\xBF", 0x7FF},
      {"\xE0\xA0\x80", 0x800},
      {"\xED\x9F\xBF", 0xD7FF},
      {"\xEE\x80\x80", 0xE000},
      {"\xEF\xBF\xBF", 0xFFFF},
      {"\xF0\x90\x80\x80", 0x10000},
      {"\xF4\x8F\xBF\xBF", 0x10FFFF},
  };
  for (const auto& [text, cp] : cases) {
    const utf8_char c = decode_utf8(text);
    EXPECT_EQ(c.code_point, cp) << text;
    EXPECT_EQ(c.length, std::string_view(text).size()) << text;
  }
}

TEST(utf8, rejects_ill_formed_sequences) {
  for (const char* bad :
       {"\x80", "\xBF", "\xC0\x80", "\xC1\xBF", "\xE0\x9F\xBF", "\xED\xA0\x80", "\xED\xBF\xBF",
        "\xF0\x8F\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFE", "\xC3", "\xE2\x82",
        "\xF0\x9F\x98", "\xC3\x28"}) {
    EXPECT_EQ(decode_utf8(bad).length, 0u) << bad;
  }
}

}  // namespace
