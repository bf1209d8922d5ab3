#pragma once
// actor_executor: the executor every actor's coroutine runs on.
//
// It posts to the actor's io_context (its io thread's) like a plain executor, and also names the
// actor running,
// so an ask made anywhere inside a handler (`co_await ref.ask(...)`) can find the ask being
// handled, inherit its deadline, and see the chain of actors waiting on it.
#include <boost/asio/execution.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/require.hpp>

#include <memory>
#include <utility>

namespace troupe {

class actor_core_base;

class actor_executor {
 public:
  using inner_type =
      decltype(boost::asio::require(std::declval<boost::asio::io_context&>().get_executor(),
                                    boost::asio::execution::blocking.never));

  actor_executor(inner_type inner, std::shared_ptr<actor_core_base> actor)
      : inner_(std::move(inner)), actor_(std::move(actor)) {}

  actor_core_base* actor() const noexcept { return actor_.get(); }

  boost::asio::io_context& query(boost::asio::execution::context_t) const noexcept {
    return boost::asio::query(inner_, boost::asio::execution::context);
  }
  static constexpr boost::asio::execution::blocking_t query(
      boost::asio::execution::blocking_t) noexcept {
    return boost::asio::execution::blocking.never;
  }
  actor_executor require(boost::asio::execution::blocking_t::never_t) const { return *this; }
  // defer() asks for relationship.continuation: called on the actor's own io thread, the work
  // then queues there without a lock or a wake-up.
  boost::asio::execution::relationship_t query(
      boost::asio::execution::relationship_t r) const noexcept {
    return boost::asio::query(inner_, r);
  }
  actor_executor require(boost::asio::execution::relationship_t::continuation_t r) const {
    return actor_executor(boost::asio::require(inner_, r), actor_);
  }
  actor_executor require(boost::asio::execution::relationship_t::fork_t r) const {
    return actor_executor(boost::asio::require(inner_, r), actor_);
  }

  template <class F>
  void execute(F&& f) const {
    inner_.execute(std::forward<F>(f));
  }

  friend bool operator==(const actor_executor& a, const actor_executor& b) noexcept {
    return a.inner_ == b.inner_ && a.actor_ == b.actor_;
  }
  friend bool operator!=(const actor_executor& a, const actor_executor& b) noexcept {
    return !(a == b);
  }

 private:
  inner_type inner_;
  std::shared_ptr<actor_core_base> actor_;
};

}  // namespace troupe
