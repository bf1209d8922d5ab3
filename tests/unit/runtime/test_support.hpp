#pragma once
// Helpers shared by the runtime tests: a per-test watchdog, bounded waits, an async gate that
// holds an actor inside a handler without blocking an io thread, and a way to run asks from a
// client io_context the test drives by hand.
//
// Threads: watchdog runs its own thread; async_gate and signal are safe from any thread.
#include "actors/runtime/spawn_options.hpp"
#include "actors/runtime/stored_handler.hpp"
#include "tests/support/watchdog.hpp"

#include <gtest/gtest.h>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace troupe::test {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

// spawn_options builders (designated initializers would leave fields out, which GCC warns about).
inline troupe::spawn_options named(std::string name, std::size_t capacity = 0,
                                   std::optional<troupe::restart_policy> restart = std::nullopt) {
  troupe::spawn_options o;
  o.name = std::move(name);
  o.mailbox_capacity = capacity;
  o.restart = restart;
  return o;
}
inline troupe::spawn_options with_capacity(std::size_t capacity) {
  return named({}, capacity);
}
inline troupe::restart_policy restarts(std::uint32_t max, std::chrono::milliseconds within = 10s) {
  troupe::restart_policy p;
  p.max_restarts = max;
  p.within = within;
  return p;
}
inline troupe::spawn_options with_restarts(std::uint32_t max,
                                           std::chrono::milliseconds within = 10s) {
  return named({}, 0, restarts(max, within));
}

// Generous limits: they only bound a hang, they are not expected timings.
inline constexpr std::chrono::milliseconds wait_limit{5000};

// True if `f` becomes ready within `limit`.
template <class T>
bool ready_within(std::future<T>& f, std::chrono::milliseconds limit = wait_limit) {
  return f.wait_for(limit) == std::future_status::ready;
}

// Polls `pred` until it holds or `limit` passes; for conditions with no event to wait on.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = wait_limit) {
  const auto until = clock::now() + limit;
  while (!pred()) {
    if (clock::now() >= until) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// A one-shot event a handler fires and a test thread waits on. Copies share the event.
class event {
 public:
  void fire() {
    std::call_once(s_->once, [this] { s_->p.set_value(); });
  }
  bool wait(std::chrono::milliseconds limit = wait_limit) const {
    return s_->f.wait_for(limit) == std::future_status::ready;
  }

 private:
  struct state {
    std::promise<void> p;
    std::shared_future<void> f = p.get_future().share();
    std::once_flag once;
  };
  std::shared_ptr<state> s_ = std::make_shared<state>();
};

// Holds coroutines (typically a handler) until open() is called; waiting does not block a
// thread. Once open it stays open.
class async_gate {
 public:
  template <class Token>
  auto async_wait(Token&& token) {
    return boost::asio::async_initiate<Token, void()>(
        [this](auto handler) {
          std::unique_lock lock(mu_);
          if (open_) {
            lock.unlock();
            boost::asio::post(std::move(handler));
            return;
          }
          waiters_.emplace_back(std::move(handler));
        },
        token);
  }
  void open() {
    std::vector<troupe::stored_handler<>> waiters;
    {
      std::lock_guard lock(mu_);
      open_ = true;
      waiters.swap(waiters_);
    }
    for (auto& w : waiters) std::move(w).post();
  }

 private:
  std::mutex mu_;
  bool open_ = false;
  std::vector<troupe::stored_handler<>> waiters_;
};

// A client the test drives by hand: coroutines spawned here run only inside poll()/run_until().
class client {
 public:
  template <class Awaitable>
  auto spawn(Awaitable a) {
    return boost::asio::co_spawn(io_, std::move(a), boost::asio::use_future);
  }
  // Runs what is ready now (e.g. an ask up to the point it has pushed its message).
  void poll() {
    io_.restart();
    io_.poll();
  }
  // Runs until `f` is ready or `limit` passes; true if ready.
  template <class T>
  bool run_until(std::future<T>& f, std::chrono::milliseconds limit = wait_limit) {
    const auto until = clock::now() + limit;
    io_.restart();
    auto guard = boost::asio::make_work_guard(io_);  // a suspended ask is not work by itself
    while (f.wait_for(0s) != std::future_status::ready) {
      if (clock::now() >= until) return false;
      io_.run_one_for(5ms);
    }
    return true;
  }
  boost::asio::io_context& io() noexcept { return io_; }

 private:
  boost::asio::io_context io_;
};

}  // namespace troupe::test
