#include "bench/baseline/broadcast_session.hpp"

#include "bench/baseline/room_registry.hpp"
#include "bench/baseline/server_runner.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/role.hpp>

namespace troupe::baseline {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}

broadcast_session::broadcast_session(asio::ip::tcp::socket socket, room_registry& rooms)
    : ws_(std::move(socket)), rooms_(rooms), wake_(ws_.get_executor()) {
  wake_.expires_at(asio::steady_timer::time_point::max());
}

asio::awaitable<void> broadcast_session::run() {
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  if (auto [ec] = co_await ws_.async_accept(use_tuple); ec) {
    if (!is_disconnect(ec)) log_error("broadcast handshake", ec);
    co_return;
  }
  ws_.text(true);
  beast::flat_buffer buffer;
  if (auto [ec, n] = co_await ws_.async_read(buffer, use_tuple); ec) {
    if (!is_disconnect(ec)) log_error("broadcast join", ec);
    co_return;
  }
  room_ = beast::buffers_to_string(buffer.data());
  buffer.consume(buffer.size());
  rooms_.join(room_, shared_from_this());
  asio::co_spawn(ws_.get_executor(), write_loop(shared_from_this()), log_exception);
  enqueue(std::make_shared<const std::string>(room_));  // the join acknowledgement

  for (;;) {
    if (auto [ec, n] = co_await ws_.async_read(buffer, use_tuple); ec) {
      if (!is_disconnect(ec)) log_error("broadcast read", ec);
      break;
    }
    rooms_.broadcast(room_,
                     std::make_shared<const std::string>(beast::buffers_to_string(buffer.data())));
    buffer.consume(buffer.size());
  }
  rooms_.leave(room_, this);
  done_ = true;
  wake_.cancel();
}

void broadcast_session::deliver(std::shared_ptr<const std::string> frame) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), frame = std::move(frame)]() mutable {
    self->enqueue(std::move(frame));
  });
}

void broadcast_session::enqueue(std::shared_ptr<const std::string> frame) {
  if (done_) return;
  queue_.push_back(std::move(frame));
  wake_.cancel_one();
}

asio::awaitable<void> broadcast_session::write_loop(std::shared_ptr<broadcast_session> self) {
  for (;;) {
    while (self->queue_.empty()) {
      if (self->done_) co_return;
      (void)co_await self->wake_.async_wait(use_tuple);
    }
    const auto frame = self->queue_.front();
    if (auto [ec, n] = co_await self->ws_.async_write(asio::buffer(*frame), use_tuple); ec) {
      if (!is_disconnect(ec)) log_error("broadcast write", ec);
      self->done_ = true;
      self->queue_.clear();
      co_return;
    }
    self->queue_.pop_front();
  }
}

}  // namespace troupe::baseline
