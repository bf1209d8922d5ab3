#pragma once
// counter_actor: one per counter name, spawned on first use through the registry. Holds a
// 64-bit signed value (loaded from and saved to the store) and the sessions watching it; every
// change is encoded once and pushed to all watchers' outboxes.
// Runs on its own actor coroutine; nothing here is shared.
#include "actors/domain_env.hpp"
#include "actors/outbox.hpp"
#include "actors/runtime/actor_context.hpp"
#include "server/protocol/requests.hpp"

#include <boost/system/error_code.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>

namespace troupe {

class counter_actor {
 public:
  static constexpr const char* kind = "counter";

  struct inc {
    std::int64_t by = 1;
  };
  struct get {};
  // The counter answers a watch with a counter.value frame in the watcher's own outbox (with
  // `id`, the request's), so the pushes that follow it are never older than it.
  struct watch {
    std::string session;
    std::weak_ptr<outbox> to;
    protocol::request_id id;
  };
  struct unwatch {
    std::string session;
  };
  struct value_reply {
    std::int64_t value = 0;
    bool overflow = false;                  // inc refused: the value would leave the 64-bit range
    boost::system::error_code store_error;  // inc refused: the store could not save it
  };
  struct reap {};  // sent to itself while it has watchers (actors/occupancy.hpp)
  using message = std::variant<inc, get, watch, unwatch, reap>;

  counter_actor(std::string name, const domain_env& env);

  void on_start(actor_context<counter_actor>& ctx);
  void on_stop();
  value_reply handle(inc m, actor_context<counter_actor>& ctx);
  std::int64_t handle(get);
  std::int64_t handle(watch m, actor_context<counter_actor>& ctx);
  bool handle(unwatch m, actor_context<counter_actor>& ctx);
  void handle(reap, actor_context<counter_actor>& ctx);

 private:
  void publish();
  void update_idle(actor_context<counter_actor>& ctx);

  std::string name_;
  const domain_env& env_;
  std::int64_t value_ = 0;
  std::unordered_map<std::string, std::weak_ptr<outbox>> watchers_;
  std::optional<timer_id> reaping_;  // the reap timer, while there are watchers
};

}  // namespace troupe
