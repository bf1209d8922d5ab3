#pragma once
// envelope<A>: one message in A's mailbox, with the reply channel and deadline of an ask.
#include "actors/runtime/actor_core_base.hpp"
#include "actors/runtime/reply.hpp"

namespace troupe {

template <class A>
struct envelope {
  typename A::message msg;
  reply_to reply;     // empty for a tell
  ask_frame frame{};  // meaningful only with a reply
};

}  // namespace troupe
