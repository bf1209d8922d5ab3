#pragma once
// io_pool: n io_contexts, each run by its own thread. A connection lives on one context, so all
// of its coroutines run on one thread and need no strand; per-thread state (thread_stats) is
// touched by that thread only. Member functions are called from the main thread only.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <thread>
#include <vector>

namespace troupe::load {

class io_pool {
 public:
  explicit io_pool(unsigned threads);
  io_pool(const io_pool&) = delete;
  io_pool& operator=(const io_pool&) = delete;
  ~io_pool();  // halt()

  std::size_t size() const noexcept { return contexts_.size(); }
  boost::asio::io_context& context(std::size_t i) noexcept { return *contexts_[i % size()]; }

  // Stops the contexts, abandoning queued work, and joins the threads. Idempotent. Whatever
  // lives on the pool's threads (connections) may be destroyed safely once it returns.
  void halt() noexcept;

 private:
  using guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<guard> guards_;
  std::vector<std::thread> threads_;
};

}  // namespace troupe::load
