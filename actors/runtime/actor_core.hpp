#pragma once
// actor_core<A>: the task behind an actor — its mailbox, its state, and the coroutine that
// takes messages one batch at a time and hands each to A's handler.
//
// Threads: run() executes on the actor's io thread through an actor_executor, one step at a
// time, so A's state, behaviour, timers table and restart history are touched only there.
// Timer objects live on a per-actor strand; push/stop/depth are safe from any thread.
#include "actors/runtime/actor_context.hpp"
#include "actors/runtime/actor_core_base.hpp"
#include "actors/runtime/actor_executor.hpp"
#include "actors/runtime/actor_ref.hpp"
#include "actors/runtime/envelope.hpp"
#include "actors/runtime/handler_traits.hpp"
#include "actors/runtime/mailbox.hpp"
#include "actors/runtime/spin_lock.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <typeindex>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace troupe {

template <class A>
class actor_core final : public actor_core_base {
 public:
  using message_type = typename A::message;
  using envelope_type = envelope<A>;
  using factory = std::function<void(std::optional<A>&)>;  // emplaces a fresh state

  actor_core(actor_system& system, boost::asio::io_context& io, std::uint64_t id, std::string name,
             std::string kind, restart_policy policy, std::size_t capacity, factory make)
      : actor_core_base(system, id, std::move(name), std::move(kind), typeid(A), policy),
        mailbox_(capacity),
        make_(std::move(make)),
        io_(io) {}

  push_result push(envelope_type& e, handoff how = handoff::fork) {
    return mailbox_.try_push(e, how);
  }
  push_result push_system(envelope_type& e) { return mailbox_.push_unbounded(e); }
  mailbox<envelope_type>& mail() noexcept { return mailbox_; }
  boost::asio::io_context& io() const noexcept { return io_; }

  void stop() override {
    mailbox_.close();
    on_closed();
  }
  // Accepted and not yet handled to the end: what is queued plus what is left of the batch
  // being handled, the message in hand included (a busy actor is never "empty").
  std::size_t depth() const noexcept override {
    return mailbox_.depth() + batch_left_.load(std::memory_order_relaxed);
  }
  std::size_t capacity() const noexcept override { return mailbox_.capacity(); }

  std::shared_ptr<actor_core> shared_self() {
    return std::static_pointer_cast<actor_core>(shared_from_this());
  }

  // Spawns the actor's coroutine. Called once, by actor_system.
  void start() {
    auto self = shared_self();
    actor_executor ex(
        boost::asio::require(io_.get_executor(), boost::asio::execution::blocking.never), self);
    boost::asio::co_spawn(ex, run(), [self](std::exception_ptr e) {
      if (e) {
        self->log_failure(e, "actor loop");
        self->stop();          // senders learn `stopped` (and waiting ones wake) from now on
        self->state_.reset();  // what the actor holds goes now, not with the last reference
        self->terminate(exit_reason::failure);
      }
    });
  }

  // Ends the actor without starting it (the system is already shutting down).
  void refuse_start() {
    mailbox_.close();
    idle_timer_.reset();
    timer_strand_.reset();
    terminate(exit_reason::shutdown);
  }

 private:
  friend class actor_context<A>;
  using clock = std::chrono::steady_clock;

  struct timer_state {
    explicit timer_state(boost::asio::strand<boost::asio::io_context::executor_type>& s)
        : timer(s) {}
    boost::asio::steady_timer timer;
    bool cancelled = false;  // on the strand only
    std::atomic<bool> done{false};
  };

  static constexpr std::size_t alternatives = std::variant_size_v<message_type>;
  static constexpr auto async_table = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<bool, sizeof...(I)>{
        is_async_handler<A, std::variant_alternative_t<I, message_type>>...};
  }
  (std::make_index_sequence<alternatives>{});

  // Messages handled before the loop yields its thread, so one hot actor cannot starve others.
  static constexpr std::size_t fairness_quantum = 1024;
  // An actor whose last batch held at least linger_batch messages is being streamed to: when
  // its mailbox runs dry it polls for up to linger_time before sleeping, because waking it
  // costs the producer a system call and the next message is usually already on its way.
  // Actors that get a message now and then never linger.
  static constexpr std::size_t linger_batch = 16;
  static constexpr auto linger_time = std::chrono::microseconds(2);

  boost::asio::awaitable<void> run() {
    actor_context<A> ctx(*this);
    bool alive = co_await start_incarnation(ctx);
    std::vector<envelope_type> batch;
    std::size_t since_yield = 0;
    std::size_t last_batch = 0;
    while (alive) {
      if (!mailbox_.take(batch)) {
        if (!mailbox_.closed()) {
          if (std::exchange(last_batch, 0) >= linger_batch && linger_for_mail()) continue;
          // Passivating: the name is given up only after on_stop (stop() below), so a fresh
          // copy cannot load state this one has yet to store.
          if (co_await wait_for_mail() == wake_reason::idle && mailbox_.close_if_empty()) break;
          continue;
        }
        if (!mailbox_.take(batch)) break;  // closed, and the last ones drained
      }
      std::size_t handled = 0;
      batch_left_.store(batch.size(), std::memory_order_relaxed);
      for (auto& env : batch) {
        if (!alive) break;  // the rest fail with `stopped` as the batch is cleared
        ++handled;
        current_ask_ = env.reply ? &env.frame : nullptr;
        current_reply_ = &env.reply;
        // A reply to the batch's last message is the asker's turn next (handoff::continuation):
        // it runs on this thread once the loop waits, instead of waking another one. Messages
        // that raced in meanwhile delay it by at most one fairness quantum.
        const handoff reply_how = &env == &batch.back() ? handoff::continuation : handoff::fork;
        std::exception_ptr failure;
        if (async_table[env.msg.index()]) {
          try {
            co_await std::visit([&](auto& m) { return handle_async(m, env.reply, reply_how, ctx); },
                                env.msg);
          } catch (...) {
            failure = std::current_exception();
          }
        } else {
          try {
            std::visit([&](auto& m) { handle_sync(m, env.reply, reply_how, ctx); }, env.msg);
          } catch (...) {
            failure = std::current_exception();
          }
        }
        current_ask_ = nullptr;
        current_reply_ = nullptr;
        if (next_behaviour_) {
          behaviour_ = std::move(*next_behaviour_);
          next_behaviour_.reset();
        }
        if (failure) {
          env.reply.fail(actor_errc::handler_failed);
          log_failure(failure, "handler");
          alive = co_await restart(ctx);
        }
        // Per message, so introspection is current. This coroutine is the only writer: a plain
        // load and store, not a locked read-modify-write, per counter.
        handled_.store(handled_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        batch_left_.store(batch_left_.load(std::memory_order_relaxed) - 1,
                          std::memory_order_relaxed);
      }
      batch_left_.store(0, std::memory_order_relaxed);
      last_batch = handled;
      batch.clear();
      if ((since_yield += handled) >= fairness_quantum) {
        since_yield = 0;
        const auto executor = co_await boost::asio::this_coro::executor;
        co_await boost::asio::post(executor, boost::asio::use_awaitable);
      }
    }
    if (alive) co_await run_on_stop(ctx);
    stop();
    std::size_t dropped = 0;
    while (mailbox_.take(batch)) {
      for (auto& env : batch) dropped += env.reply ? 0 : 1;  // asks fail as `stopped`
      batch.clear();
    }
    if (dropped) log_dropped(dropped);
    cancel_all_timers();
    state_.reset();
    idle_timer_.reset();  // io objects go now: a ref may outlive the io_context
    timer_strand_.reset();
    terminate(exit_reason_
                  ? *exit_reason_
                  : (stopped_for_shutdown() ? exit_reason::shutdown : exit_reason::normal));
  }

  // Polls the mailbox for up to linger_time; true once something is queued.
  bool linger_for_mail() const noexcept {
    const auto until = clock::now() + linger_time;
    do {
      for (int i = 0; i < 16; ++i) {
        if (mailbox_.depth() != 0) return true;
        cpu_relax();
      }
    } while (clock::now() < until);
    return false;
  }

  boost::asio::awaitable<wake_reason> wait_for_mail() {
    std::uint64_t generation = 0;
    if (idle_timeout_.count() > 0) {
      // The wait's generation is the next one; a stale timer cannot wake a later wait.
      generation = mailbox_.next_generation();
      if (!idle_timer_) idle_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
      idle_timer_->expires_after(idle_timeout_);
      idle_timer_->async_wait([self = shared_self(), generation](boost::system::error_code ec) {
        if (!ec) self->mailbox_.wake_idle(generation);
      });
    }
    auto why = co_await mailbox_.async_wait(generation, boost::asio::use_awaitable);
    if (idle_timeout_.count() > 0) idle_timer_->cancel();
    co_return why;
  }

  // Calls A's handler for `m` in the current behaviour.
  template <class M>
  decltype(auto) invoke(M& m, actor_context<A>& ctx) {
    if constexpr (has_behaviours<A>) {
      return std::visit(
          [&](auto& b) -> decltype(auto) { return call_handler(*state_, b, std::move(m), ctx); },
          behaviour_);
    } else {
      return call_handler(*state_, behaviour_, std::move(m), ctx);
    }
  }

  template <class M>
  void handle_sync(M& m, reply_to& reply, handoff how, actor_context<A>& ctx) {
    if constexpr (!is_async_handler<A, M>) {
      using R = reply_t<A, M>;
      if constexpr (std::is_void_v<R>) {
        invoke(m, ctx);
        reply.send(result<void>{}, how);
      } else {
        reply.send(result<R>(invoke(m, ctx)), how);
      }
    }
  }

  template <class M>
  boost::asio::awaitable<void> handle_async(M& m, reply_to& reply, handoff how,
                                            actor_context<A>& ctx) {
    if constexpr (is_async_handler<A, M>) {
      using R = reply_t<A, M>;
      // The handler's awaitable is made in a statement of its own: GCC 12 destroys by-value class
      // arguments twice when the call sits inside the co_await expression.
      auto handling = invoke(m, ctx);
      if constexpr (std::is_void_v<R>) {
        co_await std::move(handling);
        reply.send(result<void>{}, how);
      } else {
        auto value = co_await std::move(handling);
        reply.send(result<R>(std::move(value)), how);
      }
    }
    co_return;
  }

  // Emplaces a fresh state and runs on_start; retried under the restart policy if it throws.
  boost::asio::awaitable<bool> start_incarnation(actor_context<A>& ctx) {
    for (;;) {
      std::exception_ptr failure;
      try {
        make_(state_);
        behaviour_ = behaviour_t<A>{};
        next_behaviour_.reset();
        co_await run_hook(ctx, /*starting=*/true);
        co_return true;
      } catch (...) {
        failure = std::current_exception();
      }
      log_failure(failure, "on_start");
      state_.reset();
      if (!may_restart(clock::now())) {
        exit_reason_ =
            policy_.max_restarts == 0 ? exit_reason::failure : exit_reason::restarts_exhausted;
        co_return false;
      }
    }
  }

  // After a handler threw: the old incarnation's on_stop runs to completion, then a new one
  // starts — or the actor stops if the policy's budget is spent.
  boost::asio::awaitable<bool> restart(actor_context<A>& ctx) {
    co_await run_on_stop(ctx);
    cancel_all_timers();
    state_.reset();
    if (!may_restart(clock::now())) {
      exit_reason_ =
          policy_.max_restarts == 0 ? exit_reason::failure : exit_reason::restarts_exhausted;
      co_return false;
    }
    co_return co_await start_incarnation(ctx);
  }

  boost::asio::awaitable<void> run_on_stop(actor_context<A>& ctx) {
    std::exception_ptr failure;
    try {
      co_await run_hook(ctx, /*starting=*/false);
    } catch (...) {
      failure = std::current_exception();
    }
    if (failure) log_failure(failure, "on_stop");
  }

  boost::asio::awaitable<void> run_hook(actor_context<A>& ctx, bool starting) {
    A& a = *state_;
    if (starting) {
      if constexpr (requires { a.on_start(ctx); }) {
        if constexpr (detail::unwrap_awaitable<decltype(a.on_start(ctx))>::is_async)
          co_await a.on_start(ctx);
        else
          a.on_start(ctx);
      } else if constexpr (requires { a.on_start(); }) {
        if constexpr (detail::unwrap_awaitable<decltype(a.on_start())>::is_async)
          co_await a.on_start();
        else
          a.on_start();
      }
    } else {
      if constexpr (requires { a.on_stop(ctx); }) {
        if constexpr (detail::unwrap_awaitable<decltype(a.on_stop(ctx))>::is_async)
          co_await a.on_stop(ctx);
        else
          a.on_stop(ctx);
      } else if constexpr (requires { a.on_stop(); }) {
        if constexpr (detail::unwrap_awaitable<decltype(a.on_stop())>::is_async)
          co_await a.on_stop();
        else
          a.on_stop();
      }
    }
  }

  timer_id schedule(std::chrono::milliseconds delay, std::chrono::milliseconds period,
                    message_type msg) {
    std::erase_if(timers_, [](const auto& kv) { return kv.second->done.load(); });
    if (!timer_strand_) timer_strand_.emplace(boost::asio::make_strand(io_));
    auto t = std::make_shared<timer_state>(*timer_strand_);
    auto id = ++next_timer_;
    timers_.emplace(id, t);
    boost::asio::co_spawn(*timer_strand_,
                          timer_loop(shared_self(), t, delay, period, std::move(msg)),
                          [](std::exception_ptr) {});
    return id;
  }

  static boost::asio::awaitable<void> timer_loop(std::weak_ptr<actor_core> weak,
                                                 std::shared_ptr<timer_state> t,
                                                 std::chrono::milliseconds delay,
                                                 std::chrono::milliseconds period,
                                                 message_type msg) {
    auto wait = delay;
    for (;;) {
      t->timer.expires_after(wait);
      auto [ec] = co_await t->timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec || t->cancelled) break;
      auto self = weak.lock();
      if (!self) break;
      const bool once = period.count() == 0;
      envelope_type env{once ? std::move(msg) : msg, {}, {}};
      auto r = once ? self->push_system(env) : self->push(env);
      if (once || r == push_result::closed) break;
      wait = period;
    }
    t->done.store(true);
  }

  void cancel_timer(timer_id id) {
    if (auto it = timers_.find(id); it != timers_.end()) {
      boost::asio::post(*timer_strand_, [t = it->second] {
        t->cancelled = true;
        t->timer.cancel();
      });
      timers_.erase(it);
    }
  }

  void cancel_all_timers() {
    while (!timers_.empty()) cancel_timer(timers_.begin()->first);
  }

  mailbox<envelope_type> mailbox_;
  factory make_;
  boost::asio::io_context& io_;
  // Both made on first use (by the own coroutine), so the many actors that never use a timer,
  // such as one session per connection, pay nothing for them; a timer also starts the
  // io_context's reactor, which then polls epoll between handlers. Both are reset when the
  // actor ends: a strand must not outlive its io_context.
  std::optional<boost::asio::strand<boost::asio::io_context::executor_type>> timer_strand_;
  std::unique_ptr<boost::asio::steady_timer> idle_timer_;
  std::chrono::milliseconds idle_timeout_{0};  // own coroutine only
  reply_to* current_reply_ = nullptr;          // the message being handled's; own coroutine only

  // Own coroutine only:
  std::optional<A> state_;
  behaviour_t<A> behaviour_{};
  std::optional<behaviour_t<A>> next_behaviour_;
  std::unordered_map<timer_id, std::shared_ptr<timer_state>> timers_;
  timer_id next_timer_ = 0;
  std::optional<exit_reason> exit_reason_;
  std::atomic<std::size_t> batch_left_{0};  // written by the own coroutine, read anywhere
};

}  // namespace troupe
