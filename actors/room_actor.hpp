#pragma once
// room_actor: one chat room — its members (with presence events), its message numbering and its
// recent history. Spawned on first use, passivated once empty and idle; numbering and history
// live in the store and survive passivation.
// Broadcasts are encoded once and the same frame is pushed to every member's outbox.
// Runs on its own actor coroutine; nothing here is shared.
#include "actors/domain_env.hpp"
#include "actors/outbox.hpp"
#include "actors/runtime/actor_context.hpp"
#include "actors/store/state_store.hpp"
#include "server/protocol/requests.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace troupe {

struct room_member {
  std::string session;  // empty for an HTTP publisher
  std::string name;
};

class room_actor {
 public:
  static constexpr const char* kind = "room";

  // The room answers a join with a room.joined frame in the joiner's own outbox (with `id`,
  // the request's), not through its session: every frame the room pushes the joiner afterwards
  // then comes after it, so presence and messages never arrive before the snapshot they follow.
  struct join {
    room_member who;
    std::weak_ptr<outbox> to;
    protocol::request_id id;
  };
  struct leave {
    std::string session;
  };
  struct say {
    room_member from;  // a session must be a member; an HTTP publisher (no session) need not
    std::string text;
  };
  struct history {
    std::uint64_t since = 0;
  };
  struct describe {};
  struct census {};  // the counts a room listing shows, without copying members or history
  struct reap {};    // sent to itself while it has members (actors/occupancy.hpp)

  struct snapshot {  // what history and describe reply with
    std::vector<room_member> members;
    std::vector<frame> messages;  // encoded room.message frames, oldest first
    std::uint64_t last_seq = 0;
    std::string epoch;
  };
  struct say_reply {
    std::optional<std::uint64_t> seq;       // empty: refused, for one of these reasons:
    bool not_member = false;                // the sender is not a member
    boost::system::error_code store_error;  // the store could not keep the message
  };
  struct census_reply {
    std::size_t members = 0;
    std::uint64_t last_seq = 0;
  };
  using message = std::variant<join, leave, say, history, describe, census, reap>;

  room_actor(std::string name, const domain_env& env);

  // What a room not running answers from its stored record: the messages after `since`, and no
  // members (a room with members runs).
  static snapshot stored_snapshot(const room_record& record, std::uint64_t since);

  void on_start(actor_context<room_actor>& ctx);
  void handle(join m, actor_context<room_actor>& ctx);
  bool handle(leave m, actor_context<room_actor>& ctx);
  say_reply handle(say m, actor_context<room_actor>& ctx);
  snapshot handle(history m, actor_context<room_actor>& ctx);
  snapshot handle(describe, actor_context<room_actor>& ctx);
  census_reply handle(census, actor_context<room_actor>& ctx);
  void handle(reap, actor_context<room_actor>& ctx);

 private:
  struct member_slot {
    std::string name;
    std::weak_ptr<outbox> to;
  };
  // Returns false if a member's connection turned out to be gone (see reap_departed).
  bool broadcast(const frame& f, const std::string* except = nullptr);
  void reap_departed(actor_context<room_actor>& ctx);
  std::vector<room_member> member_list() const;
  snapshot make_snapshot(std::uint64_t since) const;
  frame joined_frame(const protocol::request_id& id) const;
  void update_idle(actor_context<room_actor>& ctx);

  std::string name_;
  const domain_env& env_;
  room_record record_;
  std::map<std::string, member_slot> members_;  // by session id; ordered for stable listings
  std::optional<timer_id> reaping_;             // the reap timer, while there are members
};

}  // namespace troupe
