#include "bench/load/ws_receiver.hpp"

#include <gtest/gtest.h>
#include <boost/beast/websocket/error.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace troupe::load {
namespace {

using ws_error = boost::beast::websocket::error;

// A frame as a server sends it: unmasked.
std::string server_frame(ws_opcode op, std::string_view payload, bool fin = true) {
  std::string out;
  out += static_cast<char>((fin ? 0x80 : 0) | static_cast<int>(op));
  const std::size_t n = payload.size();
  if (n < 126) {
    out += static_cast<char>(n);
  } else if (n <= 0xFFFF) {
    out += static_cast<char>(126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xFF);
  } else {
    out += static_cast<char>(127);
    for (int i = 7; i >= 0; --i) out += static_cast<char>((n >> (8 * i)) & 0xFF);
  }
  out += payload;
  return out;
}

std::string text_of_size(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('A' + i % 23);
  return s;
}

// Feeds `wire` to a receiver as socket reads of at most `chunk` bytes through a scratch buffer
// of `scratch_size`, the way connection.cpp does, and collects what comes out.
struct harness {
  explicit harness(std::size_t scratch_size) : scratch(scratch_size) {}

  ws_receiver rx;
  std::vector<char> scratch;
  std::string replies;
  mask_keys keys{42};
  std::vector<std::string> messages;
  std::size_t stop_after = 0;  // 0: never stop
  ws_receiver::outcome last;
  bool closed = false;

  next_step on_message(std::string_view m) {
    messages.emplace_back(m);
    return stop_after != 0 && messages.size() % stop_after == 0 ? next_step::stop
                                                                : next_step::keep_reading;
  }

  void note(const ws_receiver::outcome& r) {
    last = r;
    closed = closed || r.close_received;
  }

  void feed(std::string_view wire, std::size_t chunk) {
    auto sink_fn = [this](std::string_view m) { return on_message(m); };
    while (!wire.empty()) {
      const std::span<char> into = rx.prepare(scratch);
      ASSERT_FALSE(into.empty());
      const std::size_t n = std::min({chunk, into.size(), wire.size()});
      std::copy_n(wire.data(), n, into.data());
      wire.remove_prefix(n);
      note(rx.commit(n, sink_fn, replies, keys));
      if (last.error || closed) return;
      while (last.stopped) note(rx.drain(sink_fn, replies, keys));
    }
  }
};

TEST(WsReceiver, FramesSplitAcrossReadsAtEveryByte) {
  const std::string wire =
      server_frame(ws_opcode::text, "hello") + server_frame(ws_opcode::text, text_of_size(300)) +
      server_frame(ws_opcode::binary, text_of_size(70000)) + server_frame(ws_opcode::text, "");
  for (const std::size_t chunk : {1u, 2u, 3u, 7u, 100u, 4096u, 1000000u}) {
    harness h(64 * 1024);
    h.feed(wire, chunk);
    ASSERT_FALSE(h.last.error) << chunk;
    ASSERT_EQ(h.messages.size(), 4u) << chunk;
    EXPECT_EQ(h.messages[0], "hello");
    EXPECT_EQ(h.messages[1], text_of_size(300));
    EXPECT_EQ(h.messages[2], text_of_size(70000));
    EXPECT_EQ(h.messages[3], "");
    EXPECT_EQ(h.rx.pending_bytes(), 0u);
  }
}

TEST(WsReceiver, EveryCompleteFrameOfOneReadComesOutOfOneCommit) {
  std::string wire;
  for (int i = 0; i < 50; ++i) wire += server_frame(ws_opcode::text, std::to_string(1000 + i));
  harness h(64 * 1024);
  auto sink_fn = [&h](std::string_view m) { return h.on_message(m); };
  const std::span<char> into = h.rx.prepare(h.scratch);
  std::copy(wire.begin(), wire.end() - 1, into.begin());  // the last frame short by a byte
  const auto r = h.rx.commit(wire.size() - 1, sink_fn, h.replies, h.keys);
  EXPECT_EQ(r.delivered, 49u);
  EXPECT_EQ(h.rx.pending_bytes(), server_frame(ws_opcode::text, "1049").size() - 1);
  h.feed(wire.substr(wire.size() - 1), 1);
  ASSERT_EQ(h.messages.size(), 50u);
  EXPECT_EQ(h.messages.back(), "1049");
}

TEST(WsReceiver, ExtendedLengthsAtTheirBoundaries) {
  for (const std::size_t n : {125u, 126u, 127u, 65535u, 65536u, 65537u}) {
    harness h(4096);  // smaller than most of these frames: they go through the pending buffer
    h.feed(server_frame(ws_opcode::text, text_of_size(n)), 1000);
    ASSERT_EQ(h.messages.size(), 1u) << n;
    EXPECT_EQ(h.messages[0], text_of_size(n)) << n;
    EXPECT_EQ(h.rx.pending_bytes(), 0u);
  }
}

TEST(WsReceiver, StopLeavesTheRestPendingForDrain) {
  const std::string wire = server_frame(ws_opcode::text, "a") + server_frame(ws_opcode::text, "b") +
                           server_frame(ws_opcode::text, "c");
  harness h(1024);
  auto sink_fn = [&h](std::string_view m) { return h.on_message(m); };
  h.stop_after = 1;
  const std::span<char> into = h.rx.prepare(h.scratch);
  std::copy(wire.begin(), wire.end(), into.begin());
  auto r = h.rx.commit(wire.size(), sink_fn, h.replies, h.keys);
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.delivered, 1u);
  EXPECT_EQ(h.rx.pending_bytes(), 6u);
  // The scratch buffer is free again: another connection may overwrite it.
  std::fill(h.scratch.begin(), h.scratch.end(), 'Z');
  r = h.rx.drain(sink_fn, h.replies, h.keys);
  EXPECT_EQ(r.delivered, 1u);
  r = h.rx.drain(sink_fn, h.replies, h.keys);
  EXPECT_EQ(r.delivered, 1u);
  r = h.rx.drain(sink_fn, h.replies, h.keys);
  EXPECT_EQ(r.delivered, 0u);
  EXPECT_EQ(h.messages, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(WsReceiver, ReassemblesFragmentsAndAnswersPingsBetweenThem) {
  const std::string wire = server_frame(ws_opcode::text, "frag", false) +
                           server_frame(ws_opcode::ping, "are you there") +
                           server_frame(ws_opcode::continuation, "men", false) +
                           server_frame(ws_opcode::continuation, "ted") +
                           server_frame(ws_opcode::text, "next");
  for (const std::size_t chunk : {1u, 5u, 1000u}) {
    harness h(64);
    h.feed(wire, chunk);
    ASSERT_FALSE(h.last.error);
    EXPECT_EQ(h.messages, (std::vector<std::string>{"fragmented", "next"})) << chunk;
    // One pong, masked, echoing the ping's payload.
    ws_frame_header ph;
    ASSERT_EQ(parse_frame_header({h.replies.data(), h.replies.size()}, ph), ws_parse::complete);
    EXPECT_EQ(ph.opcode, ws_opcode::pong);
    EXPECT_TRUE(ph.fin);
    ASSERT_TRUE(ph.masked);
    ASSERT_EQ(ph.frame_size(), h.replies.size());
    std::string payload = h.replies.substr(ph.header_size);
    apply_mask(payload, ph.mask_key);
    EXPECT_EQ(payload, "are you there");
  }
}

TEST(WsReceiver, CloseEndsReadingAndCarriesItsCode) {
  const std::string wire = server_frame(ws_opcode::text, "last") +
                           server_frame(ws_opcode::close, std::string("\x03\xE9"
                                                                      "bye",
                                                                      5)) +
                           server_frame(ws_opcode::text, "after the close");
  harness h(1024);
  h.feed(wire, 1000);
  EXPECT_TRUE(h.closed);
  EXPECT_FALSE(h.last.error);
  EXPECT_EQ(h.rx.close_code(), 1001);
  EXPECT_EQ(h.messages, (std::vector<std::string>{"last"}));
  EXPECT_TRUE(h.replies.empty()) << "the close reply is the connection's business";

  harness empty(1024);
  empty.feed(server_frame(ws_opcode::close, ""), 1);
  EXPECT_TRUE(empty.closed);
  EXPECT_EQ(empty.rx.close_code(), 1005);
}

TEST(WsReceiver, SeededBytesComeOutFirst) {
  harness h(1024);
  auto sink_fn = [&h](std::string_view m) { return h.on_message(m); };
  const std::string second = server_frame(ws_opcode::text, "second");
  h.rx.seed(server_frame(ws_opcode::text, "welcome") + second.substr(0, second.size() - 3));
  // As a connection does: what the seed completes comes out before any read.
  EXPECT_EQ(h.rx.drain(sink_fn, h.replies, h.keys).delivered, 1u);
  EXPECT_EQ(h.messages, (std::vector<std::string>{"welcome"}));
  h.feed("ond", 10);
  EXPECT_EQ(h.messages, (std::vector<std::string>{"welcome", "second"}));
}

ws_error first_error(const std::string& wire) {
  harness h(1024);
  h.feed(wire, 1000);
  return static_cast<ws_error>(h.last.error.value());
}

TEST(WsReceiver, RejectsWhatAServerMustNotSend) {
  std::string masked = server_frame(ws_opcode::text, "x");
  masked[1] = static_cast<char>(masked[1] | 0x80);
  masked.insert(2, "\0\0\0\0", 4);
  EXPECT_EQ(first_error(masked), ws_error::bad_masked_frame);
  std::string rsv = server_frame(ws_opcode::text, "x");
  rsv[0] = static_cast<char>(rsv[0] | 0x40);
  EXPECT_EQ(first_error(rsv), ws_error::bad_reserved_bits);
  EXPECT_EQ(first_error(server_frame(ws_opcode::continuation, "x")), ws_error::bad_continuation);
  EXPECT_EQ(
      first_error(server_frame(ws_opcode::text, "a", false) + server_frame(ws_opcode::text, "b")),
      ws_error::bad_data_frame);
  EXPECT_EQ(first_error(server_frame(ws_opcode::ping, "x", false)), ws_error::bad_control_fragment);
  EXPECT_EQ(first_error(server_frame(ws_opcode::ping, text_of_size(126))),
            ws_error::bad_control_size);
  EXPECT_EQ(first_error(server_frame(ws_opcode::close, "x")), ws_error::bad_close_size);
  EXPECT_EQ(first_error(server_frame(static_cast<ws_opcode>(3), "x")), ws_error::bad_opcode);
  EXPECT_EQ(first_error(std::string("\x81\x7E\x00\x05hello", 9)), ws_error::bad_size);
  // Refused from the header alone, before 17 MiB are awaited.
  EXPECT_EQ(first_error(std::string("\x81\x7F\0\0\0\0\x01\x10\0\0", 10)),
            ws_error::message_too_big);
}

TEST(WsReceiver, MaskKeysChange) {
  mask_keys keys(0);
  const std::uint32_t a = keys.next();
  const std::uint32_t b = keys.next();
  EXPECT_NE(a, 0u);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace troupe::load
