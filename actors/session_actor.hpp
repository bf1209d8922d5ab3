#pragma once
// session_actor: one per WebSocket connection, pinned to this process because it stands for a
// socket, which can never move to another node. The connection's reader hands it each text
// frame; it decodes the request, talks to counters, rooms and workers, and queues replies in
// the connection's outbox for the single writer. It remembers who it is, the rooms it joined
// and the counters it watches, and gives them all up when it stops.
// Runs on its own actor coroutine; only the outbox is shared (with the writer and broadcasters).
#include "actors/directory.hpp"
#include "actors/echo_worker.hpp"
#include "actors/outbox.hpp"
#include "actors/runtime/actor_context.hpp"
#include "actors/runtime/pool_ref.hpp"
#include "server/protocol/errors.hpp"
#include "server/protocol/requests.hpp"

#include <boost/asio/awaitable.hpp>

#include <array>
#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <variant>

namespace troupe {

// Protocol errors sent, by code (for /metrics). Shared by all sessions.
// By error_code value (from 1).
using protocol_error_counts =
    std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(protocol::last_error_code) + 1>;

struct session_services {
  directory& dir;
  pool_ref<echo_worker> echo;
  protocol_error_counts& errors;
};

class session_actor {
 public:
  static constexpr const char* kind = "session";

  struct client_text {
    std::string text;
  };
  using message = std::variant<client_text>;

  session_actor(const session_services& services, std::string id, std::shared_ptr<outbox> out);

  boost::asio::awaitable<void> handle(client_text m);
  void on_stop();  // leaves every room, drops every watch, lets the writer finish

 private:
  using request_id = protocol::request_id;

  boost::asio::awaitable<void> on(request_id& id, protocol::counter_inc& r);
  boost::asio::awaitable<void> on(request_id& id, protocol::counter_get& r);
  boost::asio::awaitable<void> on(request_id& id, protocol::counter_watch& r);
  boost::asio::awaitable<void> on(request_id& id, protocol::counter_unwatch& r);
  boost::asio::awaitable<void> on(request_id& id, protocol::room_join& r);
  boost::asio::awaitable<void> on(request_id& id, protocol::room_say& r);
  boost::asio::awaitable<void> on(request_id& id, protocol::room_history& r);
  boost::asio::awaitable<void> on(request_id& id, protocol::room_leave& r);
  boost::asio::awaitable<void> on(request_id& id, protocol::echo& r);
  boost::asio::awaitable<void> on(request_id& id, protocol::ping& r);

  void send(std::string text);
  void send_error(const request_id& id, protocol::error_code code, std::string_view message);
  // Turns a failed ask into the protocol's error reply; `what` names the actor asked.
  void send_ask_error(const request_id& id, boost::system::error_code ec, std::string_view what);
  // Joined rooms plus watched counters are at limits.max_subscriptions (a new one is refused).
  bool at_subscription_limit() const;
  void send_subscription_limit(const request_id& id, std::string_view what);

  const session_services& services_;
  std::string id_;
  std::shared_ptr<outbox> out_;
  std::set<std::string> rooms_;
  std::set<std::string> watched_;
};

}  // namespace troupe
