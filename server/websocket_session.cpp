#include "server/websocket_session.hpp"

#include "actors/store/memory_store.hpp"
#include "server/log_failure.hpp"
#include "server/protocol/encode.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

namespace troupe {
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using asio::as_tuple;
using asio::use_awaitable;

websocket_session::websocket_session(server_context& ctx, beast::tcp_stream stream, connection_slot slot,
                                     http_request upgrade)
    : ctx_(ctx),
      ws_(std::move(stream)),
      slot_(std::move(slot)),
      id_(random_id()),
      upgrade_(std::make_unique<http_request>(std::move(upgrade))) {
  boost::system::error_code ec;
  auto ep = beast::get_lowest_layer(ws_).socket().remote_endpoint(ec);
  peer_ = ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
}

websocket_session::~websocket_session() {
  if (registration_) ctx_.connections.remove(registration_);
}

asio::awaitable<void> websocket_session::run() {
  beast::get_lowest_layer(ws_).expires_never();
  // A silent client is pinged at half the idle timeout and dropped at the full one.
  ws_.set_option(websocket::stream_base::timeout{ctx_.settings.handshake_timeout, ctx_.settings.idle_timeout, true});
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "troupe"); }));
  ws_.read_message_max(ctx_.settings.max_message_bytes);
  ws_.auto_fragment(false);  // a message goes out as one frame, in one write
  auto [ec] = co_await ws_.async_accept(*upgrade_, as_tuple(use_awaitable));
  upgrade_.reset();  // an idle connection keeps no copy of its headers
  if (ec) {
    spdlog::debug("websocket handshake with {} failed: {}", peer_, ec.message());
    co_return;
  }
  ws_.text(true);

  out_ = std::make_shared<outbox>(ctx_.settings.outbound_queue);
  spawn_options options;
  options.mailbox_capacity = ctx_.settings.session_mailbox;
  options.restart = restart_policy{0, {}};  // a session that fails ends its connection
  session_ = ctx_.system.spawn_with<session_actor>(options, std::cref(ctx_.services), id_, out_);
  out_->push(make_frame(protocol::encode_welcome(id_, ctx_.settings.node_id)));

  ctx_.metrics.websockets_current.fetch_add(1, std::memory_order_relaxed);
  ctx_.metrics.websockets_total.fetch_add(1, std::memory_order_relaxed);
  spdlog::info("session {} opened from {}", id_, peer_);
  registration_ = ctx_.connections.add(weak_from_this());
  if (registration_ == 0) close_for_shutdown();

  auto self = shared_from_this();
  asio::co_spawn(ws_.get_executor(), write_loop(),
                 [self, log = log_failure("the writer of session " + id_)](std::exception_ptr e) { log(e); });
  co_await read_loop();

  session_.stop();  // its on_stop leaves the rooms and closes the outbox, ending the writer
  ctx_.metrics.websockets_current.fetch_sub(1, std::memory_order_relaxed);
  spdlog::info("session {} closed ({})", id_, peer_);
}

asio::awaitable<void> websocket_session::read_loop() {
  beast::flat_buffer buffer;
  for (;;) {
    auto [ec, n] = co_await ws_.async_read(buffer, as_tuple(use_awaitable));
    if (ec) {
      if (ec != websocket::error::closed && ec != asio::error::operation_aborted && ec != asio::error::eof)
        spdlog::debug("session {}: read ended: {}", id_, ec.message());
      break;
    }
    ctx_.metrics.frames_in.fetch_add(1, std::memory_order_relaxed);
    if (!ws_.got_text() && !refused_) {
      // Protocol v1 is JSON text only: refuse binary data with 1003. The writer sends the close,
      // after the frames already queued, so no data frame can follow it; this loop reads on
      // (ignoring what comes) until the peer answers the close.
      refused_ = websocket::close_reason(websocket::close_code::unknown_data,
                                         "binary frames are not supported; send JSON text");
      out_->close();
    }
    if (refused_) {
      buffer.clear();
      continue;
    }
    auto text = beast::buffers_to_string(buffer.data());
    buffer.clear();
    // Backpressure: while the session's mailbox is full, stop reading this socket.
    // (Made before its co_await: GCC 12 destroys by-value class temporaries of one twice.)
    auto sending = session_.send(session_actor::client_text{std::move(text)});
    if (auto sent = co_await std::move(sending); sent) break;
  }
  reader_done_ = true;
}

template <class Token>
auto websocket_session::async_write_held(const frame& f, Token&& token) {
  return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
      [this](auto handler, asio::const_buffer bytes) {
        // Beast starts the write at once, down to the layer, unless a control frame is being
        // written; then it resumes the write later, uncorked, which only costs the batching.
        ws_.next_layer().cork();
        ws_.async_write(bytes, std::move(handler));
        ws_.next_layer().uncork();
      },
      token, asio::buffer(*f));
}

asio::awaitable<void> websocket_session::write_loop() {
  // A batch's frames leave in one gather write: all but the last are held, the last flushes
  // them; a batch holds at most this many bytes back.
  constexpr std::size_t max_held_bytes = 64 * 1024;
  std::vector<frame> batch;
  bool failed = false;
  while (!failed && co_await out_->queue().next_batch(batch)) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const auto& f = batch[i];
      const bool flush = i + 1 == batch.size() || ws_.next_layer().held_bytes() + f->size() >= max_held_bytes;
      boost::system::error_code ec;
      if (flush) {
        std::tie(ec, std::ignore) = co_await ws_.async_write(asio::buffer(*f), as_tuple(use_awaitable));
      } else {
        std::tie(ec, std::ignore) = co_await async_write_held(f, as_tuple(use_awaitable));
      }
      if (ec) {
        failed = true;
        break;
      }
      ctx_.metrics.frames_out.fetch_add(1, std::memory_order_relaxed);
    }
    batch.clear();
  }
  if (failed || reader_done_ || !ws_.is_open()) co_return;
  const auto reason = close_reason_for_writer();
  if (reason.code == websocket::close_code::try_again_later)
    spdlog::warn("session {}: outbox overflowed ({} frames); closing with 1013", id_, ctx_.settings.outbound_queue);
  co_await ws_.async_close(reason, as_tuple(use_awaitable));
}

websocket::close_reason websocket_session::close_reason_for_writer() const {
  if (refused_) return *refused_;
  if (going_away_) return websocket::close_code::going_away;
  if (out_->overflowed()) return websocket::close_code::try_again_later;
  return websocket::close_code::internal_error;  // the session actor ended on its own
}

void websocket_session::close_for_shutdown() {
  asio::post(ws_.get_executor(), [self = shared_from_this()] {
    self->going_away_ = true;
    if (self->out_) self->out_->close();
  });
}

}  // namespace troupe
