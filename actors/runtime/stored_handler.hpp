#pragma once
// stored_handler<Args...>: a completion handler kept aside (type-erased) until another thread
// completes it. It remembers the handler's executor so completion is always posted there —
// never run inline on the completing thread.
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/execution/blocking.hpp>
#include <boost/asio/execution/relationship.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/require.hpp>

#include <tuple>
#include <utility>

namespace troupe {

// How a completion relates to the code completing it (Asio's execution::relationship).
// fork: the completer carries on, so the handler is queued on its own io thread, which is woken
// if it sleeps. continuation: the completer is about to suspend or finish (an asker that just
// sent, an actor replying to the last message it had), so when the handler's io thread is the
// calling one it is queued there without a lock and runs next; from another thread it is
// queued as a fork would be.
enum class handoff { fork, continuation };

template <class... Args>
class stored_handler {
 public:
  template <class Handler>
  explicit stored_handler(Handler&& h)
      : ex_(boost::asio::get_associated_executor(h)), h_(std::forward<Handler>(h)) {}

  // Queues the handler with `args` on its executor. Consumes *this.
  void post(Args... args) && { std::move(*this).complete(handoff::fork, std::move(args)...); }

  void complete(handoff how, Args... args) && {
    namespace ex = boost::asio::execution;
    // Executed directly on the handler's own executor: no post() wrapper that would re-dispatch
    // to that same executor and track work a second time.
    auto target = boost::asio::require(ex_, ex::blocking.never);
    auto run = [h = std::move(h_), a = std::make_tuple(std::move(args)...)]() mutable {
      std::apply([&h](auto&&... v) { std::move(h)(std::move(v)...); }, std::move(a));
    };
    if (how == handoff::continuation)
      boost::asio::prefer(target, ex::relationship.continuation).execute(std::move(run));
    else
      boost::asio::prefer(target, ex::relationship.fork).execute(std::move(run));
  }

 private:
  boost::asio::any_io_executor ex_;
  boost::asio::any_completion_handler<void(Args...)> h_;
};

}  // namespace troupe
