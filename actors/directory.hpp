#pragma once
// directory: how actors reach counters and rooms — by name, through references, never through
// globals. Today it resolves names in this process's registry; a remote implementation can
// stand behind the same calls later.
//
// Thread-safety: every member function is safe from any thread or coroutine.
#include "actors/counter_actor.hpp"
#include "actors/domain_env.hpp"
#include "actors/room_actor.hpp"
#include "actors/runtime/actor_system.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace troupe {

class directory {
 public:
  directory(actor_system& system, const domain_env& env) : system_(system), env_(env) {}

  std::optional<actor_ref<room_actor>> find_room(std::string_view name) const {
    return system_.find<room_actor>("room:" + std::string(name));
  }
  std::vector<std::string> open_rooms() const {  // the rooms whose actor runs, in no order
    auto names = system_.names_of<room_actor>();
    for (auto& n : names) n.erase(0, std::string_view("room:").size());
    return names;
  }

  // Asks the named counter/room, opening (spawning) it if it is not running: for requests that
  // change it. If the one found was passivating (stopped), asks its fresh incarnation once more,
  // once the old one is gone.
  // One not running while env().max_rooms rooms (max_counters counters) are fails with
  // actor_errc::too_many.
  template <class M>
  auto ask_counter(std::string_view name, M m) {
    return ask_named<counter_actor>("counter:", std::string(name), std::move(m));
  }
  template <class M>
  auto ask_room(std::string_view name, M m) {
    return ask_named<room_actor>("room:", std::string(name), std::move(m));
  }
  // Asks the named counter/room only if it is running; std::nullopt if it is not (or stops
  // first). Opens nothing: for leave and unwatch, which have nothing to do in one not running.
  template <class M>
  auto ask_open_counter(std::string_view name, M m) {
    return ask_if_open<counter_actor>("counter:", std::string(name), std::move(m));
  }
  template <class M>
  auto ask_open_room(std::string_view name, M m) {
    return ask_if_open<room_actor>("room:", std::string(name), std::move(m));
  }

  // Reads that open nothing: a counter or room not running is read from the store, so reading
  // cannot use up the places of max_rooms / max_counters.
  boost::asio::awaitable<result<std::int64_t>> counter_value(std::string name);
  boost::asio::awaitable<result<room_actor::snapshot>> room_history(std::string name,
                                                                    std::uint64_t since);
  // As room_history from 0 with the members, or std::nullopt for a room neither running nor
  // stored.
  boost::asio::awaitable<std::optional<result<room_actor::snapshot>>> room_detail(std::string name);

  template <class M>
  boost::system::error_code tell_counter(std::string_view name, M m) {
    return tell_named<counter_actor>("counter:", name, std::move(m));
  }
  template <class M>
  boost::system::error_code tell_room(std::string_view name, M m) {
    return tell_named<room_actor>("room:", name, std::move(m));
  }

  const domain_env& env() const noexcept { return env_; }
  actor_system& system() noexcept { return system_; }

 private:
  template <class A>
  std::optional<actor_ref<A>> resolve(std::string_view prefix, std::string_view name) {
    std::string key(prefix);
    key += name;
    const auto limit = std::is_same_v<A, room_actor> ? env_.max_rooms : env_.max_counters;
    return system_.get_or_spawn_within<A>(limit, key, std::string(name), std::cref(env_));
  }

  template <class A, class M>
  boost::asio::awaitable<result<reply_t<A, M>>> ask_named(std::string_view prefix, std::string name,
                                                          M m) {
    auto ref = resolve<A>(prefix, name);
    if (!ref) co_return make_error_code(actor_errc::too_many);
    // Awaitables are made in statements of their own: GCC 12 destroys by-value class temporaries
    // of a co_await expression twice.
    auto first = ref->ask(m);
    auto r = co_await std::move(first);
    if (!r && r.error() == actor_errc::stopped) {
      co_await until_gone(*ref);
      ref = resolve<A>(prefix, name);
      if (!ref) co_return make_error_code(actor_errc::too_many);
      auto again = ref->ask(std::move(m));
      r = co_await std::move(again);
    }
    co_return r;
  }

  template <class A, class M>
  boost::asio::awaitable<std::optional<result<reply_t<A, M>>>> ask_if_open(std::string_view prefix,
                                                                           std::string name, M m) {
    auto ref = system_.find<A>(std::string(prefix) + name);
    if (!ref) co_return std::nullopt;
    auto asked = ref->ask(std::move(m));
    auto r = co_await std::move(asked);
    if (!r && r.error() == actor_errc::stopped) {
      co_await until_gone(*ref);  // then the store holds what it stored as it closed
      co_return std::nullopt;
    }
    co_return r;
  }

  // A counter or room that refused an ask as `stopped` is closing: it keeps its name until it
  // has stored its state (on_stop), so a fresh copy, which loads that state, opens only after.
  // Not long: a closing actor handles nothing more, only runs its on_stop.
  template <class A>
  static boost::asio::awaitable<void> until_gone(const actor_ref<A>& ref) {
    auto joined = ref.join();
    co_await std::move(joined);
  }

  // Only leave and unwatch are told, so only a running actor is told: one not running has no
  // members or watchers, and spawning it to say so would be waste.
  template <class A, class M>
  boost::system::error_code tell_named(std::string_view prefix, std::string_view name, M m) {
    auto ref = system_.find<A>(std::string(prefix) + std::string(name));
    return ref ? ref->tell(std::move(m)) : boost::system::error_code{};
  }

  actor_system& system_;
  const domain_env& env_;
};

// The wording of the `limit` error for a room or counter not opened, the same over WebSocket and
// HTTP; `what` is "room 'x'" or "counter 'x'".
inline std::string not_opened_message(std::string_view what) {
  return std::string(what) + " is not open, and as many as the server allows are; try again later";
}

// The wording of the `unavailable` error for a change the store refused, over WebSocket and HTTP.
inline std::string store_failed_message(std::string_view what, boost::system::error_code ec) {
  return std::string(what) + " could not store the change (" + ec.message() +
         "), which was not made; try again later";
}

}  // namespace troupe
