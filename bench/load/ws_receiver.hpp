#pragma once
// ws_receiver: the receiving half of one client WebSocket connection, without the I/O. It turns
// the bytes the connection reads into whole messages, handed to a handler one after another
// with no coroutine resumption in between, reassembles fragmented messages, and answers pings.
// Used by the connection's io thread only; not thread-safe.
//
// Buffers: a socket read goes into a scratch buffer shared by every connection of the thread
// (prepare() puts the bytes still pending from the last read at its front); commit() hands out
// every complete message in it and keeps only the incomplete rest (usually less than a frame)
// in the connection's own `pending` string. So an idle connection holds no read buffer, and a
// busy one gets every frame that arrived since its last read from one system call. A frame
// larger than the scratch buffer is read straight into `pending`, grown to its size.
#include "bench/load/ws_frame.hpp"

#include <boost/system/error_code.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace troupe::load {

// What a message handler wants next.
enum class next_step { keep_reading, stop };

// A non-owning reference to a callable `next_step(std::string_view message)`, which must
// outlive the sink. The view is valid during the call only.
class message_sink {
 public:
  template <class F>
  message_sink(F& f) noexcept  // NOLINT: implicit, a sink is made where it is passed
      : object_(&f), call_([](void* o, std::string_view m) { return (*static_cast<F*>(o))(m); }) {}

  next_step operator()(std::string_view message) const { return call_(object_, message); }

 private:
  void* object_;
  next_step (*call_)(void*, std::string_view);
};

// Masking keys for client frames: xorshift32. Masking guards browsers' proxies against
// cross-protocol attacks, so a load tool needs no strong randomness, only a changing key.
class mask_keys {
 public:
  explicit mask_keys(std::uint32_t seed) noexcept : state_(seed | 1) {}
  std::uint32_t next() noexcept {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return state_;
  }

 private:
  std::uint32_t state_;
};

class ws_receiver {
 public:
  // Larger messages fail the connection (Beast's default limit).
  static constexpr std::size_t max_message_size = 16u << 20;

  struct outcome {
    std::size_t delivered = 0;        // data messages handed to the handler
    bool stopped = false;             // the handler said stop; complete frames may still be pending
    bool close_received = false;      // the server's close frame (its code: close_code())
    boost::system::error_code error;  // the server broke the protocol; the connection is done
  };

  // Bytes that came with the upgrade response, before the receiver was in use.
  void seed(std::string_view bytes) { pending_.append(bytes); }

  // Where the next socket read should go: into `scratch`, after the pending bytes copied to its
  // front, or into the pending buffer when the frame under way is larger than `scratch`. Only
  // after drain() found no complete message; the span is non-empty.
  std::span<char> prepare(std::span<char> scratch);

  // `n` bytes arrived in the span prepare() returned (the scratch buffer untouched since):
  // hands out every complete message in order until the handler says stop, appends a pong
  // for each ping to `replies` (masked with `keys`), and keeps the rest pending.
  outcome commit(std::size_t n, message_sink on_message, std::string& replies, mask_keys& keys);

  // The same for the messages already complete in the pending bytes (left by a stop).
  outcome drain(message_sink on_message, std::string& replies, mask_keys& keys);

  // The status code of the server's close frame (1005 when it carried none).
  std::uint16_t close_code() const noexcept { return close_code_; }
  std::size_t pending_bytes() const noexcept { return pending_.size(); }

 private:
  // Parses frames from the front of `buf`; `consumed` gets the bytes of the frames it handled.
  outcome parse(std::span<char> buf, std::size_t& consumed, message_sink on_message,
                std::string& replies, mask_keys& keys);

  std::string pending_;    // an incomplete frame (or complete ones left by a stop)
  std::string fragments_;  // a fragmented message under way
  bool assembling_ = false;
  bool closed_ = false;  // a close frame came: nothing after it is read
  std::uint16_t close_code_ = 1005;
  // Between prepare() and commit(): where the read went.
  std::span<char> scratch_;
  std::size_t base_ = 0;  // pending bytes in front of the read
  bool in_scratch_ = false;
};

}  // namespace troupe::load
