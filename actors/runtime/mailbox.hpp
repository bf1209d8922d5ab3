#pragma once
// mailbox<T>: the bounded multi-producer, single-consumer queue behind every actor.
//
// Thread-safety: push, close and the introspection getters are safe from any thread; take and
// async_wait belong to the single consumer (the actor's own coroutine).
// Producers append under a short lock; the consumer swaps out everything queued at once, so a
// busy actor pays one lock and at most one wake-up per batch instead of one per message.
#include "actors/runtime/spin_lock.hpp"
#include "actors/runtime/stored_handler.hpp"
#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace troupe {

enum class push_result { accepted, full, closed };

// Why a waiting consumer woke up.
enum class wake_reason { ready, closed, idle };

template <class T>
class mailbox {
 public:
  explicit mailbox(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  mailbox(const mailbox&) = delete;
  mailbox& operator=(const mailbox&) = delete;

  // Refused when full or closed; the caller keeps ownership of `item` then. `how` says whether
  // the pusher carries on (fork) or is about to suspend (continuation: an ask), which decides
  // where a waiting consumer is woken (see handoff).
  push_result try_push(T& item, handoff how = handoff::fork) { return push(item, false, how); }
  // For the runtime's own messages (timers, termination notices): ignores capacity, never the
  // closed state. Callers bound these by construction (one per timer tick, one per watch).
  push_result push_unbounded(T& item) { return push(item, true, handoff::fork); }

  // Producer side of "await room": completes once the consumer has taken a batch (so there may
  // be room again) or the mailbox closed. The caller retries try_push after it.
  template <class Token>
  auto async_wait_room(Token&& token) {
    return boost::asio::async_initiate<Token, void()>(
        [this](auto handler) {
          std::unique_lock lock(mu_);
          if (closed_ || queue_.size() < capacity_) {
            lock.unlock();
            boost::asio::post(std::move(handler));
            return;
          }
          room_waiters_.emplace_back(std::move(handler));
        },
        token);
  }

  // Consumer: moves every queued item into `out` (which must be empty). False if none.
  bool take(std::vector<T>& out) {
    std::vector<stored_handler<>> room;
    {
      std::lock_guard lock(mu_);
      if (queue_.empty()) return false;
      out.swap(queue_);
      depth_.store(0, std::memory_order_relaxed);
      room.swap(room_waiters_);
    }
    for (auto& h : room) std::move(h).post();
    return true;
  }

  // Consumer: numbers the next wait, for wake_idle.
  std::uint64_t next_generation() {
    std::lock_guard lock(mu_);
    return ++generation_;
  }

  // Consumer: completes when an item is queued, the mailbox is closed, or wake_idle(generation)
  // is called (before or during this wait; generation 0 never idles).
  template <class Token>
  auto async_wait(std::uint64_t generation, Token&& token) {
    return boost::asio::async_initiate<Token, void(wake_reason)>(
        [this, generation](auto handler) {
          std::unique_lock lock(mu_);
          std::optional<wake_reason> now;
          if (!queue_.empty()) now = wake_reason::ready;
          else if (closed_) now = wake_reason::closed;
          else if (generation != 0 && idle_generation_ == generation) now = wake_reason::idle;
          if (now) {
            lock.unlock();
            boost::asio::post(boost::asio::append(std::move(handler), *now));
            return;
          }
          waiter_generation_ = generation;
          waiter_.emplace(std::move(handler));
        },
        token);
  }

  // Wakes the consumer with wake_reason::idle if it is in (or about to start) wait `generation`.
  void wake_idle(std::uint64_t generation) { wake(wake_reason::idle, &generation); }

  // Consumer: waits for the next batch into `out` (empty); false once closed and drained.
  boost::asio::awaitable<bool> next_batch(std::vector<T>& out) {
    for (;;) {
      if (take(out)) co_return true;
      if (closed()) co_return take(out);
      co_await async_wait(0, boost::asio::use_awaitable);
    }
  }

  // Stops accepting; what is queued stays for the consumer to drain.
  void close() {
    std::vector<stored_handler<>> room;
    {
      std::lock_guard lock(mu_);
      if (closed_) return;
      closed_ = true;
      room.swap(room_waiters_);
    }
    for (auto& h : room) std::move(h).post();
    wake(wake_reason::closed, nullptr);
  }

  // Closes only if nothing is queued: the atomic step that lets an idle actor passivate
  // without losing a message that raced in.
  bool close_if_empty() {
    {
      std::lock_guard lock(mu_);
      if (!queue_.empty()) return false;
      closed_ = true;
    }
    return true;
  }

  // Without the lock: a reader on a hot path (each message a connection reads) only needs to
  // see a close soon, and once closed a mailbox stays closed.
  bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }
  std::size_t depth() const noexcept { return depth_.load(std::memory_order_relaxed); }
  std::size_t capacity() const noexcept { return capacity_; }

 private:
  push_result push(T& item, bool unbounded, handoff how) {
    std::optional<stored_handler<wake_reason>> waiter;
    {
      std::lock_guard lock(mu_);
      if (closed_) return push_result::closed;
      if (!unbounded && queue_.size() >= capacity_) return push_result::full;
      queue_.push_back(std::move(item));
      depth_.store(queue_.size(), std::memory_order_relaxed);
      if (waiter_) {
        waiter.swap(waiter_);
      }
    }
    if (waiter) std::move(*waiter).complete(how, wake_reason::ready);
    return push_result::accepted;
  }

  void wake(wake_reason why, const std::uint64_t* generation) {
    std::optional<stored_handler<wake_reason>> waiter;
    {
      std::lock_guard lock(mu_);
      if (generation) {
        if (!waiter_) {
          idle_generation_ = *generation;  // the wait has not started yet: it will see this
          return;
        }
        if (*generation != waiter_generation_) return;
      }
      if (!waiter_) return;
      waiter.swap(waiter_);
    }
    std::move(*waiter).post(why);
  }

  // Held for a few instructions per push or batch, by many producers at once: a spin lock, as
  // a contended std::mutex would put threads to sleep and wake them with system calls.
  mutable spin_lock mu_;
  std::vector<T> queue_;
  std::size_t capacity_;
  std::atomic<bool> closed_{false};  // written under mu_; read under it, or by closed()
  std::uint64_t generation_ = 0;
  std::uint64_t waiter_generation_ = 0;
  std::uint64_t idle_generation_ = 0;
  std::optional<stored_handler<wake_reason>> waiter_;
  std::vector<stored_handler<>> room_waiters_;
  std::atomic<std::size_t> depth_{0};
};

}  // namespace troupe
