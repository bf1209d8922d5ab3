#pragma once
// corked_stream: a stream layer under the WebSocket stream that can hold writes back ("cork")
// and send them with the next write made uncorked, in one gather write. The socket's writer
// corks only while it starts the write of one of its own frames (see websocket_session), so a
// batch of N frames costs one system call instead of N.
//
// Beast's websocket stream lets one write operation run at a time, and its own control frames
// (pong, the close reply) are always written uncorked: they flush whatever is held first. Bytes
// therefore leave in the order they were written, and no data frame can follow a close frame.
// A write made while corked completes at once (posted, never inline) with all its bytes taken.
//
// Threads: used only on the connection's strand, like the websocket stream above it.
#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_cat.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <cstddef>
#include <string>
#include <utility>

namespace troupe {

template <class Next>
class corked_stream {
 public:
  using executor_type = typename Next::executor_type;

  explicit corked_stream(Next next) : next_(std::move(next)) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  Next& next_layer() noexcept { return next_; }
  const Next& next_layer() const noexcept { return next_; }

  void cork() noexcept { corked_ = true; }
  void uncork() noexcept { corked_ = false; }
  std::size_t held_bytes() const noexcept { return held_.size(); }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return next_.async_read_some(buffers, std::forward<Token>(token));
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    using signature = void(boost::system::error_code, std::size_t);
    if (corked_) {
      const auto n = hold(buffers);
      return boost::asio::async_initiate<Token, signature>(
          [](auto handler, executor_type ex, std::size_t taken) {
            boost::asio::post(ex, boost::asio::append(std::move(handler), boost::system::error_code{}, taken));
          },
          token, next_.get_executor(), n);
    }
    if (held_.empty()) return next_.async_write_some(buffers, std::forward<Token>(token));
    return boost::asio::async_compose<Token, signature>(flush_op<ConstBuffers>{*this, buffers}, token, next_);
  }

 private:
  // Small enough that an idle connection keeps no big buffer after a burst.
  static constexpr std::size_t kept_capacity = 4096;

  template <class ConstBuffers>
  std::size_t hold(const ConstBuffers& buffers) {
    const auto n = boost::asio::buffer_size(buffers);
    const auto at = held_.size();
    held_.resize(at + n);
    boost::asio::buffer_copy(boost::asio::buffer(held_.data() + at, n), buffers);
    return n;
  }

  void release_held() {
    if (held_.capacity() > kept_capacity) {
      std::string{}.swap(held_);
    } else {
      held_.clear();
    }
  }

  // Writes the held bytes and then `buffers` in full; completes with the size of `buffers`, the
  // part its caller asked to write.
  template <class ConstBuffers>
  struct flush_op {
    corked_stream& self;
    ConstBuffers buffers;
    bool started = false;

    template <class Self>
    void operator()(Self& op, boost::system::error_code ec = {}, std::size_t = 0) {
      if (!started) {
        started = true;
        boost::asio::async_write(self.next_,
                                 boost::beast::buffers_cat(boost::asio::buffer(self.held_), buffers),
                                 std::move(op));
        return;
      }
      self.release_held();
      op.complete(ec, ec ? 0 : boost::asio::buffer_size(buffers));
    }
  };

  Next next_;
  std::string held_;
  bool corked_ = false;
};

// Beast's websocket stream closes the connection through these, found by ADL.
template <class Next>
void teardown(boost::beast::role_type role, corked_stream<Next>& stream, boost::system::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

template <class Next, class TeardownHandler>
void async_teardown(boost::beast::role_type role, corked_stream<Next>& stream, TeardownHandler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
}

}  // namespace troupe
