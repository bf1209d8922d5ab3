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

namespace troupe {

class directory {
 public:
  directory(actor_system& system, const domain_env& env) : system_(system), env_(env) {}

  actor_ref<counter_actor> counter(std::string_view name) { return resolve<counter_actor>("counter:", name); }
  actor_ref<room_actor> room(std::string_view name) { return resolve<room_actor>("room:", name); }
  std::optional<actor_ref<room_actor>> find_room(std::string_view name) const {
    return system_.find<room_actor>("room:" + std::string(name));
  }

  // Asks the named counter/room. If the one found was passivating (stopped), asks its fresh
  // incarnation once more.
  template <class M>
  auto ask_counter(std::string_view name, M m) {
    return ask_named<counter_actor>("counter:", std::string(name), std::move(m));
  }
  template <class M>
  auto ask_room(std::string_view name, M m) {
    return ask_named<room_actor>("room:", std::string(name), std::move(m));
  }
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
  actor_ref<A> resolve(std::string_view prefix, std::string_view name) {
    std::string key(prefix);
    key += name;
    return system_.get_or_spawn<A>(key, std::string(name), std::cref(env_));
  }

  template <class A, class M>
  boost::asio::awaitable<result<reply_t<A, M>>> ask_named(std::string_view prefix, std::string name, M m) {
    // Awaitables are made in statements of their own: GCC 12 destroys by-value class temporaries
    // of a co_await expression twice.
    auto first = resolve<A>(prefix, name).ask(m);
    auto r = co_await std::move(first);
    if (!r && r.error() == actor_errc::stopped) {
      auto again = resolve<A>(prefix, name).ask(std::move(m));
      r = co_await std::move(again);
    }
    co_return r;
  }

  template <class A, class M>
  boost::system::error_code tell_named(std::string_view prefix, std::string_view name, M m) {
    auto ec = resolve<A>(prefix, name).tell(m);
    if (ec == actor_errc::stopped) ec = resolve<A>(prefix, name).tell(std::move(m));
    return ec;
  }

  actor_system& system_;
  const domain_env& env_;
};

}  // namespace troupe
