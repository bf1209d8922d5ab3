#include "server/websocket_session.hpp"

#include "actors/random_id.hpp"
#include "server/protocol/encode.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket.hpp>

namespace troupe {
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using asio::as_tuple;
using asio::use_awaitable;
using boost::system::error_code;

namespace {
// The HTTP stream's timers are done with: Beast's own take over. Sends join the batch of the
// socket's io thread, if sends are batched.
send_queue_stream socket_stream(const server_context& ctx, beast::tcp_stream& stream) {
  auto socket = stream.release_socket();
  auto* batch = ctx.batches ? ctx.batches->find(socket.get_executor()) : nullptr;
  return send_queue_stream(std::move(socket), batch);
}
}  // namespace

websocket_session::websocket_session(server_context& ctx, beast::tcp_stream stream,
                                     connection_slot slot, http_request upgrade, std::string early)
    : ctx_(ctx),
      ws_(socket_stream(ctx, stream)),
      slot_(std::move(slot)),
      id_(random_id()),
      upgrade_(std::make_unique<http_request>(std::move(upgrade))) {
  ws_.next_layer().unread(std::move(early));
  boost::system::error_code ec;
  auto ep = ws_.next_layer().next_layer().remote_endpoint(ec);
  peer_ = ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
}

websocket_session::~websocket_session() {
  if (registration_) ctx_.connections.remove(registration_);
}

asio::awaitable<void> websocket_session::run() {
  // Beast times the opening and closing handshakes. Idle connections are left to idle_sweep,
  // which pings a silent peer at half the idle timeout and drops it at the full one: Beast's
  // own keep-alive would re-arm a timer on every read.
  ws_.set_option(websocket::stream_base::timeout{ctx_.settings.handshake_timeout,
                                                 websocket::stream_base::none(), false});
  ws_.control_callback([this](websocket::frame_type, beast::string_view) {
    hear();
    if (out_ && out_->queue().closed()) arm_closing_deadline();
  });
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "troupe"); }));
  ws_.read_message_max(ctx_.settings.max_message_bytes);
  auto [ec] = co_await ws_.async_accept(*upgrade_, as_tuple(use_awaitable));
  upgrade_.reset();  // an idle connection keeps no copy of its headers
  if (ec) {
    spdlog::debug("websocket handshake with {} failed: {}", peer_, ec.message());
    co_return;
  }
  open_session();
  read_message();
}

void websocket_session::open_session() {
  out_ = std::make_shared<outbox>(ctx_.settings.outbound_queue, ctx_.settings.outbound_bytes);
  // An outbox that closes (overflows, or its session ends) while the writer waits for a full
  // socket: the writer would not see it until the socket drained, which a client that stopped
  // reading never lets happen.
  out_->on_close([weak = weak_from_this()] {
    if (auto self = weak.lock())
      asio::post(self->ws_.get_executor(), [self] { self->arm_closing_deadline(); });
  });
  spawn_options options;
  options.mailbox_capacity = ctx_.settings.session_mailbox;
  options.restart = restart_policy{0, {}};  // a session that fails ends its connection
  // On its socket's io thread: the reader's hand-overs and the writer's wake-ups stay there.
  options.io =
      &static_cast<asio::io_context&>(asio::query(ws_.get_executor(), asio::execution::context));
  session_ = ctx_.system.spawn_with<session_actor>(options, std::cref(ctx_.services), id_, out_);
  out_->push(make_frame(protocol::encode_welcome(id_, ctx_.settings.node_id)));

  ctx_.metrics.websockets_current.fetch_add(1, std::memory_order_relaxed);
  ctx_.metrics.websockets_total.fetch_add(1, std::memory_order_relaxed);
  spdlog::info("session {} opened from {}", id_, peer_);
  hear();
  registration_ = ctx_.connections.add(weak_from_this(), &heard_);
  if (registration_ == 0) close_for_shutdown();
  write_ready();
}

void websocket_session::read_message() {
  ws_.async_read_some(
      asio::buffer(&first_byte_, 1),
      [self = shared_from_this()](error_code ec, std::size_t n) { self->on_first_byte(ec, n); });
}

void websocket_session::hear() {
  heard_.store(ctx_.keepalive.now(), std::memory_order_relaxed);
}

void websocket_session::on_first_byte(error_code ec, std::size_t n) {
  hear();
  message_.text.assign(n, first_byte_);
  if (ec || ws_.is_message_done()) return on_message(ec);
  message_buffer_.emplace(message_.text);
  read_rest();
}

// A piece at a time, so every piece of a long message that arrives counts as hearing the peer.
void websocket_session::read_rest() {
  ws_.async_read_some(*message_buffer_, 0, [self = shared_from_this()](error_code ec, std::size_t) {
    self->hear();
    if (!ec && !self->ws_.is_message_done()) return self->read_rest();
    self->message_buffer_.reset();
    self->on_message(ec);
  });
}

void websocket_session::on_message(error_code ec) {
  if (ec) {
    if (ec != websocket::error::closed && ec != asio::error::operation_aborted &&
        ec != asio::error::eof)
      spdlog::debug("session {}: read ended: {}", id_, ec.message());
    if (ec != websocket::error::closed) {
      // The peer is gone without a closing handshake (or the stream failed): nothing more
      // can be delivered, and a write waiting for a peer that no longer reads must not keep
      // the connection alive.
      drop_connection();
    }
    return close_session();
  }
  ctx_.metrics.frames_in.fetch_add(1, std::memory_order_relaxed);
  if (!ws_.got_text() && !refused_) {
    // Protocol v1 is JSON text only: refuse binary data with 1003. The writer sends the close,
    // after the frames already queued, so no data frame can follow it; the reader reads on
    // (ignoring what comes) until the peer answers the close.
    refused_ = websocket::close_reason(websocket::close_code::unknown_data,
                                       "binary frames are not supported; send JSON text");
    out_->close();
  }
  if (out_->queue().closed()) {
    // The connection is closing (1003, 1013, 1001, 1011): nothing more can be answered, so what
    // still comes is read (until the peer's close) and dropped.
    arm_closing_deadline();
    message_.text.clear();
    return read_message();
  }
  deliver();
}

void websocket_session::deliver() {
  const auto ec = session_.try_tell(message_);
  if (ec == actor_errc::mailbox_full) {
    // Backpressure: while the session's mailbox is full, this socket is not read.
    session_.async_wait_room(
        asio::bind_executor(ws_.get_executor(), [self = shared_from_this()] { self->deliver(); }));
    return;
  }
  if (ec) {
    // The session actor is gone while its connection is open: it failed (1011), or the server is
    // past its shutdown grace (1001 was sent already). Close after what is queued, as its on_stop
    // does too, whichever comes first; the reader reads on, dropping what comes, until the peer
    // answers the close. (Ending the reader here would let the connection go without a close.)
    out_->close();
    arm_closing_deadline();
    message_.text.clear();
  }
  read_message();
}

void websocket_session::close_session() {
  reader_done_ = true;
  if (closing_deadline_) closing_deadline_->cancel();
  session_.stop();  // its on_stop leaves the rooms and closes the outbox, ending the writer
  out_->close();    // also when there is no on_stop: a session actor whose loop itself failed
  ctx_.metrics.websockets_current.fetch_sub(1, std::memory_order_relaxed);
  spdlog::info("session {} closed ({})", id_, peer_);
}

namespace {
constexpr std::size_t kept_batch_capacity = 8;
}  // namespace

void websocket_session::write_ready() {
  auto& socket = ws_.next_layer();
  // A connection that cannot be written to goes: its reader may not see the failure (a send can
  // fail while receiving still works), and would go on handing requests to a session whose
  // replies nobody sends.
  if (socket.failed()) return drop_connection();
  // While the socket is full, what comes waits in the outbox (bounded), not in the send queue.
  if (socket.blocked()) return wait_for_socket();
  // Read before taking: a frame pushed just before the outbox closed is taken below, not left
  // behind the close frame.
  const bool closed = out_->queue().closed();
  if (out_->take(batch_)) {
    if (ws_.is_open()) {  // once a close frame went out, no data frame may follow it
      for (auto& f : batch_) socket.queue(std::move(f));
      ctx_.metrics.frames_out.fetch_add(batch_.size(), std::memory_order_relaxed);
      socket.send();
    }
    if (batch_.capacity() > kept_batch_capacity) {
      std::vector<frame>{}.swap(batch_);  // a burst's storage is not kept by an idle connection
    } else {
      batch_.clear();
    }
    // Frames waiting only for this pass's batched submission need no wait: the next wake of
    // the writer finds the socket blocked if the batch did not send them all.
    if (socket.blocked()) return wait_for_socket();
    if (socket.failed()) return drop_connection();
  } else if (closed) {
    write_close();
    return;
  }
  out_->queue().async_wait(
      0, asio::bind_executor(ws_.get_executor(),
                             [self = shared_from_this()](wake_reason) { self->write_ready(); }));
}

void websocket_session::wait_for_socket() {
  if (out_->queue().closed()) start_closing_deadline();
  ws_.next_layer().async_wait_drained([self = shared_from_this()] { self->write_ready(); });
}

// A closing connection whose peer reads nothing would wait for the socket forever, and what the
// peer sends keeps it clear of the keep-alive: it gets the handshake timeout to take what is
// queued, as Beast gives it to answer the close frame. (The writer may have been waiting for the
// socket since before the outbox closed, so the outbox's closing starts the clock, and so does
// the reader hearing from the peer.)
void websocket_session::arm_closing_deadline() {
  if (ws_.next_layer().blocked()) start_closing_deadline();
}

void websocket_session::start_closing_deadline() {
  if (closing_deadline_ || reader_done_) return;
  closing_deadline_ = std::make_unique<asio::steady_timer>(ws_.get_executor());
  closing_deadline_->expires_after(ctx_.settings.handshake_timeout);
  closing_deadline_->async_wait([self = shared_from_this()](error_code ec) {
    if (ec || self->reader_done_) return;
    spdlog::warn(
        "session {}: {} did not take what was left within {} ms of closing; dropping "
        "the connection",
        self->id_, self->peer_, self->ctx_.settings.handshake_timeout.count());
    self->drop_connection();
  });
}

void websocket_session::write_close() {
  if (reader_done_ || !ws_.is_open()) return;
  const auto reason = close_reason_for_writer();
  if (reason.code == websocket::close_code::try_again_later)
    spdlog::warn("session {}: outbox overflowed ({} frames or {} bytes); closing with 1013", id_,
                 ctx_.settings.outbound_queue, ctx_.settings.outbound_bytes);
  ws_.async_close(reason, [self = shared_from_this()](boost::system::error_code) {});
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

void websocket_session::abort() {
  asio::post(ws_.get_executor(), [self = shared_from_this()] { self->drop_connection(); });
}

void websocket_session::drop_connection() {
  error_code ignored;
  ws_.next_layer().next_layer().close(ignored);
}

void websocket_session::keepalive(keepalive_verdict v) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), v] { self->on_keepalive(v); });
}

void websocket_session::on_keepalive(keepalive_verdict v) {
  if (reader_done_) return;
  if (v == keepalive_verdict::close) {
    ctx_.metrics.websockets_dropped_idle.fetch_add(1, std::memory_order_relaxed);
    spdlog::info("session {}: nothing heard from {} for {} ms; dropping the connection", id_, peer_,
                 ctx_.settings.idle_timeout.count());
    drop_connection();
    return;
  }
  if (ping_pending_ || !ws_.is_open()) return;
  ping_pending_ = true;
  ws_.async_ping({}, [self = shared_from_this()](error_code) { self->ping_pending_ = false; });
}

}  // namespace troupe
