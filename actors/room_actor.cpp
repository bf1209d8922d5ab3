#include "actors/room_actor.hpp"

#include "actors/occupancy.hpp"
#include "server/protocol/encode.hpp"

#include <algorithm>
#include <chrono>

namespace troupe {
namespace {

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

protocol::member to_protocol(const room_member& m) {
  return protocol::member{m.session, m.name};
}

}  // namespace

room_actor::room_actor(std::string name, const domain_env& env)
    : name_(std::move(name)), env_(env) {}

void room_actor::on_start(actor_context<room_actor>& ctx) {
  record_ = env_.store->load_room(name_);
  update_idle(ctx);
}

// join, leave and say first claim their reply: one whose ask has timed out changes nothing, so a
// client told `timeout` is not in the room (or still is, or said nothing) after all.

void room_actor::handle(join m, actor_context<room_actor>& ctx) {
  if (!ctx.claim_reply()) return;
  reap_departed(ctx);
  auto [it, fresh] = members_.try_emplace(m.who.session, member_slot{m.who.name, m.to});
  if (fresh) {
    // Presence goes to the others; the joiner learns the member list from the reply.
    broadcast(make_frame(protocol::encode_room_presence(name_, "join", to_protocol(m.who))),
              &m.who.session);
  } else {
    it->second.to = m.to;  // idempotent: same member, no second presence event
  }
  if (auto to = m.to.lock()) to->push(joined_frame(m.id));
  update_idle(ctx);
}

bool room_actor::handle(leave m, actor_context<room_actor>& ctx) {
  if (!ctx.claim_reply()) return false;
  auto it = members_.find(m.session);
  if (it == members_.end()) return false;
  room_member who{it->first, it->second.name};
  members_.erase(it);
  if (!broadcast(make_frame(protocol::encode_room_presence(name_, "leave", to_protocol(who)))))
    reap_departed(ctx);
  update_idle(ctx);
  return true;
}

room_actor::say_reply room_actor::handle(say m, actor_context<room_actor>& ctx) {
  if (!ctx.claim_reply()) return {};
  if (!m.from.session.empty()) {
    auto it = members_.find(m.from.session);
    if (it == members_.end()) return {std::nullopt, true, {}};
    m.from.name = it->second.name;
  }
  const auto seq = record_.last_seq + 1;
  auto f = make_frame(protocol::encode_room_message(
      protocol::chat_message{name_, seq, to_protocol(m.from), std::move(m.text), unix_ms()}));
  // Stored first: a store that fails leaves the room as it was, and nobody hears the message.
  if (auto ec = env_.store->append_message(name_, record_.epoch, {seq, f}, env_.room_history))
    return {std::nullopt, false, ec};
  record_.last_seq = seq;
  record_.history.push_back({seq, f});
  if (record_.history.size() > env_.room_history)
    record_.history.erase(
        record_.history.begin(),
        record_.history.begin() +
            static_cast<std::ptrdiff_t>(record_.history.size() - env_.room_history));
  if (!broadcast(f)) reap_departed(ctx);
  return {seq, false, {}};
}

room_actor::snapshot room_actor::handle(history m, actor_context<room_actor>& ctx) {
  reap_departed(ctx);
  return make_snapshot(m.since);
}

room_actor::snapshot room_actor::handle(describe, actor_context<room_actor>& ctx) {
  reap_departed(ctx);
  return make_snapshot(0);
}

room_actor::census_reply room_actor::handle(census, actor_context<room_actor>& ctx) {
  reap_departed(ctx);
  return {members_.size(), record_.last_seq};
}

void room_actor::handle(reap, actor_context<room_actor>& ctx) {
  reap_departed(ctx);
}

bool room_actor::broadcast(const frame& f, const std::string* except) {
  bool all_there = true;
  for (const auto& [session, slot] : members_) {
    if (except && session == *except) continue;
    if (auto to = slot.to.lock()) {
      to->push(f);
    } else {
      all_there = false;
    }
  }
  return all_there;
}

// A member whose session is closing stays listed until its session's leave arrives, so the others
// get the leave presence event. But that leave is a tell, refused when this mailbox is full: a
// member whose connection is gone altogether (its outbox with it) is removed here instead, with
// the same event. A leave arriving afterwards finds nobody to remove and says nothing.
void room_actor::reap_departed(actor_context<room_actor>& ctx) {
  std::vector<room_member> gone;
  for (auto it = members_.begin(); it != members_.end();) {
    if (it->second.to.expired()) {
      gone.push_back({it->first, it->second.name});
      it = members_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& who : gone)
    broadcast(make_frame(protocol::encode_room_presence(name_, "leave", to_protocol(who))));
  if (!gone.empty()) update_idle(ctx);
}

std::vector<room_member> room_actor::member_list() const {
  std::vector<room_member> out;
  out.reserve(members_.size());
  for (const auto& [session, slot] : members_) out.push_back({session, slot.name});
  return out;
}

room_actor::snapshot room_actor::stored_snapshot(const room_record& record, std::uint64_t since) {
  snapshot s{{}, {}, record.last_seq, record.epoch};
  auto first = std::find_if(record.history.begin(), record.history.end(),
                            [since](const stored_message& m) { return m.seq > since; });
  for (auto it = first; it != record.history.end(); ++it) s.messages.push_back(it->encoded);
  return s;
}

room_actor::snapshot room_actor::make_snapshot(std::uint64_t since) const {
  auto s = stored_snapshot(record_, since);
  s.members = member_list();
  return s;
}

frame room_actor::joined_frame(const protocol::request_id& id) const {
  std::vector<protocol::member> members;
  members.reserve(members_.size());
  for (const auto& [session, slot] : members_) members.push_back({session, slot.name});
  std::vector<std::string_view> history;
  history.reserve(record_.history.size());
  for (const auto& m : record_.history) history.push_back(m.encoded->text());
  return make_frame(
      protocol::encode_room_joined(id, name_, members, history, record_.last_seq, record_.epoch));
}

// Occupied rooms stay; an empty room passivates when idle (its history is in the store).
void room_actor::update_idle(actor_context<room_actor>& ctx) {
  keep_open_while_occupied<reap>(ctx, !members_.empty(), env_.idle_timeout, reaping_);
}

}  // namespace troupe
