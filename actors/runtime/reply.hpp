#pragma once
// The one-shot channel an ask's reply travels on.
//
// reply_slot<R> is shared by the asker (which awaits it) and the envelope (which fills it).
// The first of reply, failure or deadline wins; later ones are ignored, and a claimed slot ignores
// its deadline. Thread-safe.
#include "actors/runtime/deadline_wheel.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/result.hpp"

#include "actors/runtime/stored_handler.hpp"
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <utility>

namespace troupe {

class reply_base : public pending_deadline {
 public:
  virtual ~reply_base() = default;
  virtual void fail(boost::system::error_code ec) = 0;
  // False if the ask is already settled (timed out); else from now on its deadline no longer
  // fails it: the asker waits for the reply.
  virtual bool claim() = 0;
};

template <class R>
class reply_slot final : public reply_base {
 public:
  // `how`: continuation when the replier is about to suspend or go idle (see handoff).
  void set(result<R> r, handoff how = handoff::fork) {
    std::optional<stored_handler<>> waiter;
    {
      std::lock_guard lock(mu_);
      if (value_) return;
      value_.emplace(std::move(r));
      waiter.swap(waiter_);
    }
    if (waiter) std::move(*waiter).complete(how);
  }
  void fail(boost::system::error_code ec) override { set(result<R>(ec)); }
  void expire() override {
    std::optional<stored_handler<>> waiter;
    {
      std::lock_guard lock(mu_);
      if (value_ || claimed_) return;
      value_.emplace(actor_errc::timeout);
      waiter.swap(waiter_);
    }
    if (waiter) std::move(*waiter).complete(handoff::fork);
  }
  bool claim() override {
    std::lock_guard lock(mu_);
    if (value_) return false;
    claimed_ = true;
    return true;
  }

  // Completes once set() has been called.
  template <class Token>
  auto async_wait(Token&& token) {
    return boost::asio::async_initiate<Token, void()>(
        [this](auto handler) {
          std::unique_lock lock(mu_);
          if (value_) {
            lock.unlock();
            boost::asio::post(std::move(handler));
            return;
          }
          waiter_.emplace(std::move(handler));
        },
        token);
  }

  result<R> take() { return std::move(*value_); }

 private:
  std::mutex mu_;
  std::optional<result<R>> value_;
  std::optional<stored_handler<>> waiter_;
  bool claimed_ = false;
};

// The replier's end, carried in the envelope: dropping it unanswered (the actor stopped, the
// mailbox was discarded) fails the ask with `stopped`, so no asker waits for a reply that
// cannot come.
class reply_to {
 public:
  reply_to() = default;
  explicit reply_to(std::shared_ptr<reply_base> slot) : slot_(std::move(slot)) {}
  reply_to(reply_to&&) noexcept = default;
  reply_to& operator=(reply_to&& o) noexcept {
    if (this != &o) {
      abandon();
      slot_ = std::move(o.slot_);
    }
    return *this;
  }
  ~reply_to() { abandon(); }

  explicit operator bool() const noexcept { return slot_ != nullptr; }
  // See reply_base::claim; a tell (no slot) has nobody to lose, so it is always true.
  bool claim() { return !slot_ || slot_->claim(); }

  template <class R>
  void send(result<R> r, handoff how = handoff::fork) {
    if (auto s = std::exchange(slot_, nullptr))
      static_cast<reply_slot<R>&>(*s).set(std::move(r), how);
  }
  void fail(boost::system::error_code ec) {
    if (auto s = std::exchange(slot_, nullptr)) s->fail(ec);
  }

 private:
  void abandon() { fail(actor_errc::stopped); }
  std::shared_ptr<reply_base> slot_;
};

}  // namespace troupe
