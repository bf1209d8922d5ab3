#include "bench/load/io_pool.hpp"

#include <cstdio>
#include <exception>

namespace troupe::load {

io_pool::io_pool(unsigned threads) {
  for (unsigned i = 0; i < threads; ++i) {
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.emplace_back(contexts_.back()->get_executor());
  }
  for (auto& ctx : contexts_) {
    threads_.emplace_back([&c = *ctx] {
      // Coroutine failures are caught where they are spawned; an exception here is a bug in a
      // completion handler, reported once and fatal, because the thread's state is unknown.
      try {
        c.run();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "troupe_load: io thread failed: %s\n", e.what());
        std::terminate();
      }
    });
  }
}

io_pool::~io_pool() {
  halt();
}

void io_pool::halt() noexcept {
  guards_.clear();
  for (auto& ctx : contexts_) ctx->stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace troupe::load
