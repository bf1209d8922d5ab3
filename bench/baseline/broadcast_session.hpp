#pragma once
// broadcast_session: one connection of baseline_broadcast. Its first text frame names the room
// it joins (and is echoed back as the acknowledgement); every later frame goes, verbatim, to
// every member of that room, the sender included.
//
// Runs on its own strand (the socket's executor): the reader coroutine (run), the writer
// coroutine and the work deliver() posts all execute there, so queue_ needs no lock. deliver()
// is thread-safe. The queue is the naive one of Beast's chat-multi: one write per recipient
// per message, unbounded; this server is the reference point, not a design to copy.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <deque>
#include <memory>
#include <string>

namespace troupe::baseline {

class room_registry;

class broadcast_session : public std::enable_shared_from_this<broadcast_session> {
 public:
  broadcast_session(boost::asio::ip::tcp::socket socket, room_registry& rooms);

  // Handshake, join, then read and broadcast until the client leaves. Spawn on the strand,
  // holding a shared_ptr to the session.
  boost::asio::awaitable<void> run();
  void deliver(std::shared_ptr<const std::string> frame);

 private:
  static boost::asio::awaitable<void> write_loop(std::shared_ptr<broadcast_session> self);
  void enqueue(std::shared_ptr<const std::string> frame);

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  room_registry& rooms_;
  std::string room_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  boost::asio::steady_timer wake_;  // the writer sleeps on it while queue_ is empty
  bool done_ = false;               // the reader ended: the writer stops
};

}  // namespace troupe::baseline
