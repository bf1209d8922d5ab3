#include "bench/load/ws_receiver.hpp"

#include <boost/beast/websocket/error.hpp>

#include <cstring>

namespace troupe::load {
namespace {

using ws_error = boost::beast::websocket::error;

// A pending or fragment buffer that grew for a big message gives its memory back once it is
// nearly empty again, so that one large frame does not pin memory for the connection's life.
constexpr std::size_t keep_capacity = 64 * 1024;

void release_if_oversized(std::string& s) {
  if (s.capacity() > keep_capacity && s.size() < keep_capacity / 16) s.shrink_to_fit();
}

// Checks a complete header against what a server may send, before its payload is awaited.
ws_error check(const ws_frame_header& h, std::size_t max_payload) noexcept {
  if (h.masked) return ws_error::bad_masked_frame;
  if (h.rsv != 0) return ws_error::bad_reserved_bits;  // no extension was negotiated
  if (is_control(h.opcode)) {
    if (!h.fin) return ws_error::bad_control_fragment;
    if (h.payload_size > 125) return ws_error::bad_control_size;
  }
  if (h.payload_size > max_payload) return ws_error::message_too_big;
  return {};
}

}  // namespace

std::span<char> ws_receiver::prepare(std::span<char> scratch) {
  ws_frame_header h;
  std::uint64_t need = 0;
  if (parse_frame_header(pending_, h) == ws_parse::complete) need = h.frame_size();
  base_ = pending_.size();
  // A frame over the limit is left to commit(), which fails it from its header alone.
  if (need > scratch.size() && need <= max_message_size + 14) {
    in_scratch_ = false;
    pending_.resize(static_cast<std::size_t>(need));
    return {pending_.data() + base_, pending_.size() - base_};
  }
  in_scratch_ = true;
  scratch_ = scratch;
  std::memcpy(scratch.data(), pending_.data(), base_);
  pending_.clear();
  return scratch.subspan(base_);
}

ws_receiver::outcome ws_receiver::commit(std::size_t n, message_sink on_message,
                                         std::string& replies, mask_keys& keys) {
  if (!in_scratch_) {
    pending_.resize(base_ + n);
    return drain(on_message, replies, keys);
  }
  const std::span<char> buf = scratch_.first(base_ + n);
  std::size_t consumed = 0;
  const outcome r = parse(buf, consumed, on_message, replies, keys);
  pending_.assign(buf.data() + consumed, buf.size() - consumed);
  release_if_oversized(pending_);
  return r;
}

ws_receiver::outcome ws_receiver::drain(message_sink on_message, std::string& replies,
                                        mask_keys& keys) {
  std::size_t consumed = 0;
  const outcome r = parse({pending_.data(), pending_.size()}, consumed, on_message, replies, keys);
  pending_.erase(0, consumed);
  release_if_oversized(pending_);
  return r;
}

ws_receiver::outcome ws_receiver::parse(std::span<char> buf, std::size_t& consumed,
                                        message_sink on_message, std::string& replies,
                                        mask_keys& keys) {
  outcome r;
  auto deliver = [&](std::string_view message) {
    ++r.delivered;
    if (on_message(message) == next_step::stop) r.stopped = true;
  };
  auto fail = [&](ws_error e) {
    r.error = e;
    closed_ = true;
  };
  std::size_t pos = 0;
  while (!r.stopped && !closed_) {
    const std::span<char> rest = buf.subspan(pos);
    ws_frame_header h;
    const ws_parse parsed = parse_frame_header(rest, h);
    if (parsed == ws_parse::need_more) break;
    if (parsed == ws_parse::bad_length) {
      fail(ws_error::bad_size);
      break;
    }
    const std::size_t room = max_message_size - (assembling_ ? fragments_.size() : 0);
    if (const ws_error e = check(h, h.opcode == ws_opcode::continuation ? room : max_message_size);
        e != ws_error{}) {
      fail(e);
      break;
    }
    if (rest.size() < h.frame_size()) break;
    const std::string_view payload(rest.data() + h.header_size,
                                   static_cast<std::size_t>(h.payload_size));
    pos += static_cast<std::size_t>(h.frame_size());

    switch (h.opcode) {
      case ws_opcode::text:
      case ws_opcode::binary:
        if (assembling_) {
          fail(ws_error::bad_data_frame);  // a new message inside a fragmented one
        } else if (h.fin) {
          deliver(payload);
        } else {
          fragments_.assign(payload);
          assembling_ = true;
        }
        break;
      case ws_opcode::continuation:
        if (!assembling_) {
          fail(ws_error::bad_continuation);
          break;
        }
        fragments_.append(payload);
        if (h.fin) {
          assembling_ = false;
          deliver(fragments_);
          fragments_.clear();
          release_if_oversized(fragments_);
        }
        break;
      case ws_opcode::ping:
        append_client_frame(replies, ws_opcode::pong, payload, keys.next());
        break;
      case ws_opcode::pong:
        break;  // we send no pings
      case ws_opcode::close:
        if (payload.size() == 1) {
          fail(ws_error::bad_close_size);
          break;
        }
        if (payload.size() >= 2) {
          close_code_ = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                                   static_cast<unsigned char>(payload[1]));
        }
        closed_ = true;
        r.close_received = true;
        break;
      default:
        fail(ws_error::bad_opcode);
        break;
    }
  }
  consumed = pos;
  return r;
}

}  // namespace troupe::load
