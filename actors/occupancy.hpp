#pragma once
// Passivation for the actors that others occupy (a room's members, a counter's watchers): while
// occupied the actor stays open; once empty it passivates after `idle` without mail. Occupants
// who vanished while nothing reached the actor (their leave refused by a full mailbox) would keep
// it open for good, so while occupied it sends itself `Tick` every `idle` to look for them.
// Called from the actor's own handlers only.
#include "actors/runtime/actor_context.hpp"

#include <chrono>
#include <optional>

namespace troupe {

template <class Tick, class A>
void keep_open_while_occupied(actor_context<A>& ctx, bool occupied, std::chrono::milliseconds idle,
                              std::optional<timer_id>& ticking) {
  ctx.set_idle_timeout(occupied ? std::chrono::milliseconds::zero() : idle);
  if (!occupied && ticking) {
    ctx.cancel_timer(*ticking);
    ticking.reset();
  } else if (occupied && !ticking) {
    ticking = ctx.send_every(idle, Tick{});
  }
}

}  // namespace troupe
