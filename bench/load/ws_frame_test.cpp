#include "bench/load/ws_frame.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <span>
#include <string>

namespace troupe::load {
namespace {

std::span<const char> bytes(const std::string& s) {
  return {s.data(), s.size()};
}

// Reads one client frame back, unmasking its payload.
std::string unmask_client_frame(const std::string& frame, ws_frame_header& h) {
  EXPECT_EQ(parse_frame_header(bytes(frame), h), ws_parse::complete);
  EXPECT_TRUE(h.masked);
  EXPECT_EQ(h.frame_size(), frame.size());
  std::string payload = frame.substr(h.header_size);
  apply_mask(payload, h.mask_key);
  return payload;
}

TEST(WsFrame, ShortHeaderNeedsMore) {
  ws_frame_header h;
  EXPECT_EQ(parse_frame_header(bytes(std::string("\x81")), h), ws_parse::need_more);
  EXPECT_EQ(parse_frame_header(bytes(std::string("\x81\x7E\x01", 3)), h), ws_parse::need_more);
  EXPECT_EQ(parse_frame_header(bytes(std::string("\x81\x7F\0\0\0\0\0\x01", 8)), h),
            ws_parse::need_more);
  EXPECT_EQ(parse_frame_header(bytes(std::string("\x81\x85\x01\x02", 4)), h), ws_parse::need_more);
}

TEST(WsFrame, ReadsSevenBitLength) {
  ws_frame_header h;
  ASSERT_EQ(parse_frame_header(bytes(std::string("\x81\x05hello")), h), ws_parse::complete);
  EXPECT_TRUE(h.fin);
  EXPECT_EQ(h.opcode, ws_opcode::text);
  EXPECT_FALSE(h.masked);
  EXPECT_EQ(h.payload_size, 5u);
  EXPECT_EQ(h.header_size, 2u);
}

TEST(WsFrame, ReadsSixteenAndSixtyFourBitLengths) {
  ws_frame_header h;
  ASSERT_EQ(parse_frame_header(bytes(std::string("\x02\x7E\x01\x2C", 4)), h), ws_parse::complete);
  EXPECT_FALSE(h.fin);
  EXPECT_EQ(h.opcode, ws_opcode::binary);
  EXPECT_EQ(h.payload_size, 300u);
  EXPECT_EQ(h.header_size, 4u);

  ASSERT_EQ(parse_frame_header(bytes(std::string("\x80\x7F\0\0\0\0\0\x01\0\0", 10)), h),
            ws_parse::complete);
  EXPECT_EQ(h.opcode, ws_opcode::continuation);
  EXPECT_EQ(h.payload_size, 65536u);
  EXPECT_EQ(h.header_size, 10u);
}

TEST(WsFrame, RejectsNonCanonicalAndOversizedLengths) {
  ws_frame_header h;
  // 125 fits the 7-bit length; 65535 fits the 16-bit one; the 64-bit top bit must be clear.
  EXPECT_EQ(parse_frame_header(bytes(std::string("\x81\x7E\x00\x7D", 4)), h), ws_parse::bad_length);
  EXPECT_EQ(parse_frame_header(bytes(std::string("\x81\x7F\0\0\0\0\0\0\xFF\xFF", 10)), h),
            ws_parse::bad_length);
  EXPECT_EQ(parse_frame_header(bytes(std::string("\x81\x7F\x80\0\0\0\0\x01\0\0", 10)), h),
            ws_parse::bad_length);
}

TEST(WsFrame, ClientFramesAreMaskedAndRoundTrip) {
  for (const std::size_t n : {0u, 1u, 7u, 125u, 126u, 1000u, 65535u, 65536u, 70000u}) {
    std::string payload(n, '\0');
    for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>('a' + i % 26);
    std::string frame;
    append_client_frame(frame, ws_opcode::text, payload, 0xA1B2C3D4u);
    ws_frame_header h;
    EXPECT_EQ(unmask_client_frame(frame, h), payload) << "n=" << n;
    EXPECT_TRUE(h.fin);
    EXPECT_EQ(h.opcode, ws_opcode::text);
    EXPECT_EQ(h.payload_size, n);
    EXPECT_EQ(h.header_size, 2u + (n < 126 ? 0 : n <= 65535 ? 2 : 8) + 4);
    if (n >= 8) {
      EXPECT_NE(frame.substr(h.header_size), payload) << "the payload must go out masked";
    }
  }
}

TEST(WsFrame, MaskingMatchesTheBytewiseDefinitionAtEveryPhase) {
  const std::uint32_t key = 0x11223344u;
  unsigned char k[4];
  std::memcpy(k, &key, 4);
  for (std::size_t phase = 0; phase < 4; ++phase) {
    std::string data(37, 'x');
    apply_mask(data, key, phase);
    for (std::size_t i = 0; i < data.size(); ++i) {
      ASSERT_EQ(static_cast<unsigned char>(data[i]), 'x' ^ k[(i + phase) % 4]) << i;
    }
  }
}

TEST(WsFrame, ClosePayloadIsTheCodeInNetworkOrder) {
  EXPECT_EQ(close_payload(1000), std::string("\x03\xE8", 2));
}

}  // namespace
}  // namespace troupe::load
