#include "actors/session_actor.hpp"

#include "server/protocol/decode.hpp"
#include "server/protocol/encode.hpp"

#include <fmt/format.h>

// Asks are made in a statement before their co_await where the message is a class with a
// destructor: GCC 12 destroys by-value class temporaries of a co_await expression twice.
namespace troupe {
namespace {

std::vector<std::string_view> views(const std::vector<frame>& frames) {
  std::vector<std::string_view> out;
  out.reserve(frames.size());
  for (const auto& f : frames) out.emplace_back(f->text());
  return out;
}

}  // namespace

session_actor::session_actor(const session_services& services, std::string id,
                             std::shared_ptr<outbox> out)
    : services_(services), id_(std::move(id)), out_(std::move(out)) {}

boost::asio::awaitable<void> session_actor::handle(client_text m) {
  auto decoded = protocol::decode(m.text, protocol::limits{services_.dir.env().max_text_bytes});
  if (auto* err = std::get_if<protocol::decode_error>(&decoded)) {
    send_error(err->id, err->code, err->message);
    co_return;
  }
  auto& d = std::get<protocol::decoded>(decoded);
  co_await std::visit([&](auto& req) { return on(d.id, req); }, d.body);
}

void session_actor::on_stop() {
  for (const auto& room : rooms_) services_.dir.tell_room(room, room_actor::leave{id_});
  for (const auto& counter : watched_)
    services_.dir.tell_counter(counter, counter_actor::unwatch{id_});
  rooms_.clear();
  watched_.clear();
  out_->close();
}

void session_actor::send(std::string text) {
  out_->push(make_frame(std::move(text)));
}

void session_actor::send_error(const request_id& id, protocol::error_code code,
                               std::string_view message) {
  services_.errors[static_cast<std::size_t>(code)].fetch_add(1, std::memory_order_relaxed);
  send(protocol::encode_error(id, code, message));
}

void session_actor::send_ask_error(const request_id& id, boost::system::error_code ec,
                                   std::string_view what) {
  if (ec == actor_errc::timeout || ec == actor_errc::deadlock)
    send_error(id, protocol::error_code::timeout, fmt::format("{} did not answer in time", what));
  else if (ec == actor_errc::too_many)
    send_error(id, protocol::error_code::limit, not_opened_message(what));
  else if (ec == actor_errc::mailbox_full)
    send_error(id, protocol::error_code::overloaded,
               fmt::format("{} is overloaded; try again", what));
  else
    send_error(id, protocol::error_code::overloaded,
               fmt::format("{} is unavailable ({}); try again", what, ec.message()));
}

bool session_actor::at_subscription_limit() const {
  return rooms_.size() + watched_.size() >= services_.dir.env().max_subscriptions;
}

void session_actor::send_subscription_limit(const request_id& id, std::string_view what) {
  send_error(
      id, protocol::error_code::limit,
      fmt::format("{}: this session has joined and watched {} rooms and counters, as many as "
                  "it may; leave or unwatch one first",
                  what, rooms_.size() + watched_.size()));
}

boost::asio::awaitable<void> session_actor::on(request_id& id, protocol::counter_inc& r) {
  auto reply = co_await services_.dir.ask_counter(r.counter, counter_actor::inc{r.by});
  if (!reply) co_return send_ask_error(id, reply.error(), fmt::format("counter '{}'", r.counter));
  if (reply->overflow)
    co_return send_error(
        id, protocol::error_code::bad_request,
        fmt::format("field 'by': counter '{}' at {} cannot change by {} without leaving the "
                    "signed 64-bit range",
                    r.counter, reply->value, r.by));
  if (reply->store_error)
    co_return send_error(
        id, protocol::error_code::unavailable,
        store_failed_message(fmt::format("counter '{}'", r.counter), reply->store_error));
  send(protocol::encode_counter_value(id, r.counter, reply->value));
}

boost::asio::awaitable<void> session_actor::on(request_id& id, protocol::counter_get& r) {
  auto reply = co_await services_.dir.counter_value(r.counter);
  if (!reply) co_return send_ask_error(id, reply.error(), fmt::format("counter '{}'", r.counter));
  send(protocol::encode_counter_value(id, r.counter, *reply));
}

boost::asio::awaitable<void> session_actor::on(request_id& id, protocol::counter_watch& r) {
  if (!watched_.contains(r.counter) && at_subscription_limit())
    co_return send_subscription_limit(id, fmt::format("counter '{}'", r.counter));
  auto asked = services_.dir.ask_counter(r.counter, counter_actor::watch{id_, out_, id});
  auto reply = co_await std::move(asked);
  if (!reply) co_return send_ask_error(id, reply.error(), fmt::format("counter '{}'", r.counter));
  watched_.insert(r.counter);  // the counter has put its counter.value reply in the outbox
}

boost::asio::awaitable<void> session_actor::on(request_id& id, protocol::counter_unwatch& r) {
  // A counter not running has no watchers: nothing to do there.
  auto asked = services_.dir.ask_open_counter(r.counter, counter_actor::unwatch{id_});
  auto reply = co_await std::move(asked);
  if (reply && !*reply)
    co_return send_ask_error(id, reply->error(), fmt::format("counter '{}'", r.counter));
  watched_.erase(r.counter);
  send(protocol::encode_ok(id, std::nullopt));
}

boost::asio::awaitable<void> session_actor::on(request_id& id, protocol::room_join& r) {
  if (!rooms_.contains(r.room) && at_subscription_limit())
    co_return send_subscription_limit(id, fmt::format("room '{}'", r.room));
  auto asked = services_.dir.ask_room(r.room, room_actor::join{{id_, r.name}, out_, id});
  auto reply = co_await std::move(asked);
  if (!reply) co_return send_ask_error(id, reply.error(), fmt::format("room '{}'", r.room));
  rooms_.insert(r.room);  // the room has put its room.joined reply in the outbox
}

boost::asio::awaitable<void> session_actor::on(request_id& id, protocol::room_say& r) {
  if (!rooms_.contains(r.room))
    co_return send_error(
        id, protocol::error_code::not_member,
        fmt::format("field 'room': not a member of room '{}'; join it first", r.room));
  // No name: the room signs the message with the one this session joined it under.
  auto asked = services_.dir.ask_room(r.room, room_actor::say{{id_, {}}, std::move(r.text)});
  auto reply = co_await std::move(asked);
  if (!reply) co_return send_ask_error(id, reply.error(), fmt::format("room '{}'", r.room));
  if (reply->store_error)
    co_return send_error(
        id, protocol::error_code::unavailable,
        store_failed_message(fmt::format("room '{}'", r.room), reply->store_error));
  if (!reply->seq)
    co_return send_error(
        id, protocol::error_code::not_member,
        fmt::format("field 'room': not a member of room '{}'; join it first", r.room));
  send(protocol::encode_ok(id, *reply->seq));
}

boost::asio::awaitable<void> session_actor::on(request_id& id, protocol::room_history& r) {
  auto reply = co_await services_.dir.room_history(r.room, r.since);
  if (!reply) co_return send_ask_error(id, reply.error(), fmt::format("room '{}'", r.room));
  auto messages = views(reply->messages);
  send(protocol::encode_room_history(id, r.room, messages, reply->last_seq, reply->epoch));
}

boost::asio::awaitable<void> session_actor::on(request_id& id, protocol::room_leave& r) {
  if (!rooms_.contains(r.room))
    co_return send_error(id, protocol::error_code::not_member,
                         fmt::format("field 'room': not a member of room '{}'", r.room));
  // A room not running has no members: nothing to do there.
  auto asked = services_.dir.ask_open_room(r.room, room_actor::leave{id_});
  auto reply = co_await std::move(asked);
  if (reply && !*reply)
    co_return send_ask_error(id, reply->error(), fmt::format("room '{}'", r.room));
  rooms_.erase(r.room);
  send(protocol::encode_ok(id, std::nullopt));
}

boost::asio::awaitable<void> session_actor::on(request_id& id, protocol::echo& r) {
  auto asked = services_.echo.ask(echo_worker::request{id, std::move(r.payload)});
  auto reply = co_await std::move(asked);
  if (!reply) co_return send_ask_error(id, reply.error(), "echo worker");
  send(std::move(*reply));
}

boost::asio::awaitable<void> session_actor::on(request_id& id, protocol::ping&) {
  send(protocol::encode_pong(id));
  co_return;
}

}  // namespace troupe
