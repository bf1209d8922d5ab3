#pragma once
// stored_handler<Args...>: a completion handler kept aside (type-erased) until another thread
// completes it. It remembers the handler's executor so completion is always posted there —
// never run inline on the completing thread.
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>

#include <utility>

namespace troupe {

template <class... Args>
class stored_handler {
 public:
  template <class Handler>
  explicit stored_handler(Handler&& h)
      : ex_(boost::asio::get_associated_executor(h)), h_(std::forward<Handler>(h)) {}

  // Posts the handler with `args` to its executor. Consumes *this.
  void post(Args... args) && { boost::asio::post(ex_, boost::asio::append(std::move(h_), std::move(args)...)); }

 private:
  boost::asio::any_io_executor ex_;
  boost::asio::any_completion_handler<void(Args...)> h_;
};

}  // namespace troupe
