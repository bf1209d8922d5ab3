#pragma once
// actor_context<A>: what a handler may do besides changing its own state — reach itself and
// the system, switch behaviour, stop, schedule messages to itself, watch other actors, and
// passivate when idle. Handlers receive it by reference; it is valid only inside them and the
// on_start/on_stop hooks, on the actor's own coroutine.
#include "actors/runtime/actor_ref.hpp"
#include "actors/runtime/supervision.hpp"

#include <chrono>
#include <cstdint>
#include <memory>

namespace troupe {

template <class A>
class actor_context {
 public:
  explicit actor_context(actor_core<A>& core) : core_(core) {}
  actor_context(const actor_context&) = delete;
  actor_context& operator=(const actor_context&) = delete;

  actor_ref<A> self() const { return actor_ref<A>(core_.shared_self()); }
  actor_system& system() const noexcept { return core_.system(); }
  std::uint64_t id() const noexcept { return core_.id(); }
  const std::string& name() const noexcept { return core_.name(); }

  // Handle the next messages with behaviour `b` (one of A::behaviour's alternatives). Takes
  // effect after the current handler returns.
  template <class B>
  void become(B b) {
    static_assert(has_behaviours<A>, "become() needs `using behaviour = std::variant<...>` in A");
    core_.next_behaviour_.emplace(std::move(b));
  }

  // Finish the messages already queued, then stop (normal exit).
  void stop() { core_.stop(); }

  // For a handler whose effect the asker must learn of: true if the ask is still waiting (or
  // the message is a tell), and from then on it waits for this reply past its deadline; false
  // if the ask has timed out: the asker was told `timeout`, so the handler should change nothing.
  // A claimed ask waits for the handler however long it takes: claim only in a handler that
  // finishes promptly (one that awaits nothing, or only asks, which keep the ask's deadline).
  bool claim_reply() { return !core_.current_reply_ || core_.current_reply_->claim(); }

  // Sends `m` to this actor after `delay`, or every `period`. Timers die with the actor and are
  // dropped on restart. A periodic tick that finds the mailbox full is skipped, not queued.
  template <class M>
    requires accepts<A, M>
  timer_id send_after(std::chrono::milliseconds delay, M m) {
    return core_.schedule(delay, std::chrono::milliseconds::zero(), typename A::message(std::move(m)));
  }
  template <class M>
    requires accepts<A, M>
  timer_id send_every(std::chrono::milliseconds period, M m) {
    return core_.schedule(period, period, typename A::message(std::move(m)));
  }
  void cancel_timer(timer_id id) { core_.cancel_timer(id); }

  // When `other` terminates, this actor receives actor_terminated (A::message must hold it).
  template <class B>
  void watch(const actor_ref<B>& other) {
    static_assert(accepts<A, actor_terminated>, "a watcher's message variant must hold actor_terminated");
    std::weak_ptr<actor_core<A>> me = core_.shared_self();
    other.core()->add_watcher([me](const actor_terminated& t) {
      if (auto c = me.lock()) {
        envelope<A> env{typename A::message(t), {}, {}};
        c->push_system(env);
      }
    });
  }

  // Stop (normally, freeing the name) once the mailbox has stayed empty this long; zero: never.
  void set_idle_timeout(std::chrono::milliseconds d) noexcept { core_.idle_timeout_ = d; }

 private:
  actor_core<A>& core_;
};

}  // namespace troupe
