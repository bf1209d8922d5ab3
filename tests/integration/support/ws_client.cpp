#include "tests/integration/support/ws_client.hpp"

#include "tests/integration/support/io_wait.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/system/errc.hpp>

namespace troupe::it {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;

ws_client::ws_client(std::chrono::milliseconds timeout) : timeout_(timeout), ws_(io_) {
  ws_.control_callback([this](websocket::frame_type kind, beast::string_view payload) {
    if (kind == websocket::frame_type::pong) pongs_.emplace_back(payload);
    if (kind == websocket::frame_type::ping) ++pings_;
  });
}

ws_client::~ws_client() {
  abort();
}

bool ws_client::wait(const bool& done) {
  if (run_until(io_, done, timeout_)) return true;
  abort();  // completes the pending operation with operation_aborted
  run_until(io_, done, std::chrono::seconds(5));
  return false;
}

result<void> ws_client::connect(std::uint16_t port, std::string_view target) {
  error_code error;
  bool done = false;
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  beast::get_lowest_layer(ws_).async_connect(endpoint, [&](error_code ec) {
    error = ec;
    done = true;
  });
  if (!wait(done)) return make_error_code(beast::error::timeout);
  if (error) return error;
  done = false;
  ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
    req.set(beast::http::field::user_agent, "troupe-integration-tests");
  }));
  ws_.async_handshake("127.0.0.1:" + std::to_string(port), target, [&](error_code ec) {
    error = ec;
    done = true;
  });
  if (!wait(done)) return make_error_code(beast::error::timeout);
  return error;
}

result<json> ws_client::connect_welcome(std::uint16_t port) {
  if (auto r = connect(port); !r) return r.error();
  auto welcome = read_json();
  if (welcome && welcome->is_object() && welcome->contains("session") &&
      (*welcome)["session"].is_string())
    session_ = (*welcome)["session"].get<std::string>();
  return welcome;
}

result<void> ws_client::send_text(std::string_view text) {
  error_code error;
  bool done = false;
  ws_.text(true);
  ws_.async_write(asio::buffer(text), [&](error_code ec, std::size_t) {
    error = ec;
    done = true;
  });
  if (!wait(done)) return make_error_code(beast::error::timeout);
  return error;
}

result<void> ws_client::send_text_piece(std::string_view piece, bool last) {
  error_code error;
  bool done = false;
  ws_.text(true);
  ws_.async_write_some(last, asio::buffer(piece), [&](error_code ec, std::size_t) {
    error = ec;
    done = true;
  });
  if (!wait(done)) return make_error_code(beast::error::timeout);
  return error;
}

result<void> ws_client::send_ping(std::string_view payload) {
  error_code error;
  bool done = false;
  ws_.async_ping(websocket::ping_data(payload.data(), payload.size()), [&](error_code ec) {
    error = ec;
    done = true;
  });
  if (!wait(done)) return make_error_code(beast::error::timeout);
  return error;
}

result<void> ws_client::send_binary(std::string_view data) {
  error_code error;
  bool done = false;
  ws_.binary(true);
  ws_.async_write(asio::buffer(data), [&](error_code ec, std::size_t) {
    error = ec;
    done = true;
  });
  const bool finished = wait(done);
  ws_.text(true);
  if (!finished) return make_error_code(beast::error::timeout);
  return error;
}

result<std::string> ws_client::read_text() {
  error_code error;
  bool done = false;
  buffer_.clear();
  ws_.async_read(buffer_, [&](error_code ec, std::size_t) {
    error = ec;
    done = true;
  });
  if (!wait(done)) return make_error_code(beast::error::timeout);
  if (error) return error;
  auto text = beast::buffers_to_string(buffer_.data());
  buffer_.clear();
  return text;
}

result<json> ws_client::read_json() {
  auto text = read_text();
  if (!text) return text.error();
  auto j = json::parse(*text, nullptr, false);
  if (j.is_discarded()) return make_error_code(boost::system::errc::bad_message);
  return j;
}

result<json> ws_client::read_until(const std::function<bool(const json&)>& pred,
                                   std::vector<json>* skipped, std::size_t max_frames) {
  for (std::size_t i = 0; i < max_frames; ++i) {
    auto j = read_json();
    if (!j || pred(*j)) return j;
    if (skipped) skipped->push_back(std::move(*j));
  }
  return make_error_code(boost::system::errc::result_out_of_range);
}

result<json> ws_client::request(const json& j) {
  if (auto sent = send_json(j); !sent) return sent.error();
  return read_json();
}

result<websocket::close_reason> ws_client::read_close() {
  for (int frames = 0; frames < 1000000; ++frames) {
    auto text = read_text();
    if (text) continue;
    if (text.error() == websocket::error::closed) return ws_.reason();
    // A server that fails the connection (1009, say) may drop TCP right after its close
    // frame; the close reply this client then sends fails, yet the frame did arrive.
    if (ws_.reason().code != websocket::close_code::none) return ws_.reason();
    return text.error();
  }
  return make_error_code(boost::system::errc::result_out_of_range);
}

result<void> ws_client::close(websocket::close_code code) {
  error_code error;
  bool done = false;
  ws_.async_close(code, [&](error_code ec) {
    error = ec;
    done = true;
  });
  if (!wait(done)) return make_error_code(beast::error::timeout);
  return error;
}

void ws_client::abort() {
  auto& socket = beast::get_lowest_layer(ws_).socket();
  if (!socket.is_open()) return;
  error_code ignored;
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace troupe::it
