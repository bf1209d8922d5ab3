#pragma once
// actor_ref<A>: the handle through which anything talks to an actor of type A.
//
// Cheap to copy (one shared pointer), thread-safe, comparable. It never touches A's state: every
// operation goes through A's mailbox, so callers on any thread or coroutine may use it.
#include "actors/runtime/envelope.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/handler_traits.hpp"
#include "actors/runtime/latency_histogram.hpp"
#include "actors/runtime/mailbox.hpp"
#include "actors/runtime/result.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <utility>

namespace troupe {

template <class A>
class actor_core;

boost::system::error_code to_error(push_result r) noexcept;

// The actor running the calling coroutine, if the caller is an actor (see actor_executor).
actor_core_base* running_actor(const boost::asio::any_io_executor& ex) noexcept;
// Throws std::logic_error when called on one of the system's io threads (blocking there would
// stall every actor sharing the thread).
void require_not_io_thread(const actor_core_base& target);

template <class A>
class actor_ref {
 public:
  using actor_type = A;
  using message_type = typename A::message;
  using clock = std::chrono::steady_clock;

  actor_ref() = default;
  explicit actor_ref(std::shared_ptr<actor_core<A>> core) : core_(std::move(core)) {}

  bool valid() const noexcept { return core_ != nullptr; }
  explicit operator bool() const noexcept { return valid(); }
  std::uint64_t id() const noexcept { return core_->id(); }
  const std::string& name() const noexcept { return core_->name(); }
  std::size_t mailbox_depth() const noexcept { return core_->depth(); }
  std::optional<exit_reason> exit() const { return core_->exit(); }

  // Non-blocking. Empty when accepted; actor_errc::mailbox_full or actor_errc::stopped when
  // refused (the message is then dropped, and the caller knows it).
  template <class M>
    requires accepts<A, M>
  boost::system::error_code tell(M&& m) const {
    envelope<A> env{message_type(std::forward<M>(m)), {}, {}};
    return to_error(core_->push(env));
  }

  // tell for callers that are not coroutines and must not lose the message: on mailbox_full
  // `m` is left as it was, to try again once async_wait_room completes.
  template <class M>
    requires accepts<A, M>
  boost::system::error_code try_tell(M& m) const {
    envelope<A> env{message_type(std::move(m)), {}, {}};
    const auto r = core_->push(env);
    if (r == push_result::full) m = std::get<M>(std::move(env.msg));
    return to_error(r);
  }
  // Completes (never inline) once a full mailbox may have room again, or it closed.
  template <class Token>
  auto async_wait_room(Token&& token) const {
    return core_->mail().async_wait_room(std::forward<Token>(token));
  }

  // Like tell, but waits for room in a full mailbox instead of refusing.
  template <class M>
    requires accepts<A, M>
  boost::asio::awaitable<boost::system::error_code> send(M m) const {
    return send_to(core_, std::move(m));  // the coroutine holds the actor, not this ref
  }

  // Request-reply. Fails with actor_errc::{mailbox_full, stopped, timeout, handler_failed,
  // deadlock}. Inside a handler that is itself answering an ask, the deadline is the earlier
  // of `timeout` and the outer ask's, and asking any actor already waiting on this chain fails
  // at once with `deadlock`.
  template <class M>
    requires accepts<A, M>
  boost::asio::awaitable<result<reply_t<A, std::decay_t<M>>>> ask(
      M m, std::optional<std::chrono::milliseconds> timeout = {}) const {
    // The coroutine holds the actor, not this ref: `co_spawn(ex, find(...)->ask(m), ...)` is safe.
    return ask_to(core_, std::move(m), timeout);
  }

  // ask for code that is not a coroutine (tests, startup). Never call it on an io thread.
  template <class M>
    requires accepts<A, M>
  result<reply_t<A, std::decay_t<M>>> ask_blocking(
      M m, std::optional<std::chrono::milliseconds> timeout = {}) const {
    require_not_io_thread(*core_);
    // Refused at once when closed: after shutdown no io thread is left to run the ask.
    if (core_->mail().closed()) return make_error_code(actor_errc::stopped);
    return boost::asio::co_spawn(core_->io(), ask(std::move(m), timeout), boost::asio::use_future)
        .get();
  }

  // Finish the queued messages, then stop.
  void stop() const { core_->stop(); }

  // Completes with the exit reason once the actor has terminated.
  boost::asio::awaitable<exit_reason> join() const { return join_on(core_); }
  // join for code that is not a coroutine; never on an io thread.
  exit_reason wait() const {
    require_not_io_thread(*core_);
    return core_->async_join(boost::asio::use_future).get();
  }

  // For the runtime (watch, pools); not part of the messaging API.
  const std::shared_ptr<actor_core<A>>& core() const noexcept { return core_; }

  friend bool operator==(const actor_ref& a, const actor_ref& b) noexcept { return a.core_ == b.core_; }

 private:
  template <class M>
  static boost::asio::awaitable<boost::system::error_code> send_to(
      std::shared_ptr<actor_core<A>> core, M m) {
    envelope<A> env{message_type(std::move(m)), {}, {}};
    for (;;) {
      auto r = core->push(env);
      if (r != push_result::full) co_return to_error(r);
      co_await core->mail().async_wait_room(boost::asio::use_awaitable);
    }
  }

  template <class M>
  static boost::asio::awaitable<result<reply_t<A, M>>> ask_to(
      std::shared_ptr<actor_core<A>> core, M m, std::optional<std::chrono::milliseconds> timeout) {
    using R = reply_t<A, M>;
    const auto start = clock::now();
    ask_frame frame{start + timeout.value_or(core->default_ask_timeout()), nullptr};
    if (auto* asker = running_actor(co_await boost::asio::this_coro::executor)) {
      const ask_frame* outer = asker->current_ask();
      if (asker->id() == core->id() || (outer && outer->waits_on(core->id())))
        co_return result<R>(make_error_code(actor_errc::deadlock));
      if (outer && outer->deadline < frame.deadline) frame.deadline = outer->deadline;
      frame.chain = std::make_shared<const ask_chain>(
          ask_chain{asker->id(), outer ? outer->chain : nullptr});
    }
    auto slot = std::make_shared<reply_slot<R>>();
    auto& wheel = core->deadlines();
    auto& latency = core->ask_latency();
    if (!wheel.add(*slot, frame.deadline)) co_return result<R>(make_error_code(actor_errc::timeout));
    envelope<A> env{message_type(std::move(m)), reply_to(slot), std::move(frame)};
    // The asker suspends right after this push: the actor is its continuation (see handoff).
    if (auto r = core->push(env, handoff::continuation); r != push_result::accepted) {
      wheel.remove(*slot);
      co_return result<R>(to_error(r));
    }
    // Let go of the actor while waiting: it holds the envelope, which holds the slot, which
    // holds this coroutine — keeping the actor here too would make a cycle nothing breaks if
    // the actor is cut off at shutdown with the ask still queued.
    core.reset();
    co_await slot->async_wait(boost::asio::use_awaitable);
    wheel.remove(*slot);
    latency.record(clock::now() - start);
    co_return slot->take();
  }

  static boost::asio::awaitable<exit_reason> join_on(std::shared_ptr<actor_core<A>> core) {
    co_return co_await core->async_join(boost::asio::use_awaitable);
  }

  std::shared_ptr<actor_core<A>> core_;
};

}  // namespace troupe

#include "actors/runtime/actor_core.hpp"
