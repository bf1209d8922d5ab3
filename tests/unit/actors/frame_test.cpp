// A frame's wire bytes are exactly the RFC 6455 unmasked text frame of its message, for each of
// the three length encodings and at their edges; an encoder's text is framed in place.
#include "actors/frame.hpp"
#include "server/protocol/encode.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace troupe {
namespace {

std::uint64_t big_endian(std::string_view bytes) {
  std::uint64_t v = 0;
  for (unsigned char c : bytes) v = (v << 8) | c;
  return v;
}

// Decodes the header the way a client would and checks it announces `text` exactly.
void expect_text_frame(const frame_data& f, const std::string& text, std::size_t header_size) {
  const auto wire = f.wire();
  ASSERT_EQ(wire.size(), header_size + text.size());
  EXPECT_EQ(static_cast<unsigned char>(wire[0]), 0x81u) << "FIN and the text opcode";
  const auto len7 = static_cast<unsigned char>(wire[1]);
  EXPECT_EQ(len7 & 0x80u, 0u) << "server frames are not masked";
  if (header_size == 2) {
    EXPECT_EQ(len7, text.size());
  }
  if (header_size == 4) {
    EXPECT_EQ(len7, 126u);
    EXPECT_EQ(big_endian(wire.substr(2, 2)), text.size());
  }
  if (header_size == 10) {
    EXPECT_EQ(len7, 127u);
    EXPECT_EQ(big_endian(wire.substr(2, 8)), text.size());
  }
  EXPECT_EQ(wire.substr(header_size), text);
  EXPECT_EQ(f.text(), text);
}

TEST(frame, lengths_up_to_125_fit_the_first_byte) {
  expect_text_frame(frame_data(""), "", 2);
  expect_text_frame(frame_data(R"({"type":"pong"})"), R"({"type":"pong"})", 2);
  expect_text_frame(frame_data(std::string(125, 'x')), std::string(125, 'x'), 2);
}

TEST(frame, lengths_from_126_to_65535_take_two_more_bytes) {
  expect_text_frame(frame_data(std::string(126, 'y')), std::string(126, 'y'), 4);
  expect_text_frame(frame_data(std::string(65535, 'z')), std::string(65535, 'z'), 4);
}

TEST(frame, longer_messages_take_eight_more_bytes) {
  expect_text_frame(frame_data(std::string(65536, 'w')), std::string(65536, 'w'), 10);
  expect_text_frame(frame_data(std::string(300000, 'v')), std::string(300000, 'v'), 10);
}

TEST(frame, an_encoders_text_is_framed_in_its_own_buffer) {
  // The encoders leave room for the header, so framing moves the text over instead of copying
  // it into a new allocation.
  std::string text = protocol::encode_error(
      protocol::request_id{7}, protocol::error_code::bad_request, std::string(200, 'm'));
  ASSERT_GE(text.capacity(), text.size() + protocol::frame_header_room);
  const std::string copy = text;
  const char* buffer = text.data();
  frame_data f(std::move(text));
  EXPECT_EQ(f.wire().data(), buffer);
  expect_text_frame(f, copy, 4);
}

}  // namespace
}  // namespace troupe
