#pragma once
// domain_test: the fixture the domain actors' tests share: an actor system, an in-memory store
// and the environment domain actors are built with, plus a way to read what landed in an outbox.
#include "actors/domain_env.hpp"
#include "actors/outbox.hpp"
#include "actors/runtime/actor_system.hpp"
#include "actors/store/memory_store.hpp"
#include "tests/unit/runtime/test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <boost/asio/post.hpp>

#include <chrono>
#include <future>
#include <latch>
#include <thread>
#include <vector>

namespace troupe {

// While it lives, every io thread of `system` is held, so no actor handles anything (asks can
// time out in their mailboxes meanwhile).
class io_threads_held {
 public:
  explicit io_threads_held(actor_system& system) {
    std::latch held(system.thread_count());
    for (unsigned i = 0; i < system.thread_count(); ++i)
      boost::asio::post(system.io_context(i), [&held, released = released_] {
        held.count_down();
        released.wait();
      });
    held.wait();
  }
  io_threads_held(const io_threads_held&) = delete;
  io_threads_held& operator=(const io_threads_held&) = delete;
  ~io_threads_held() { release_.set_value(); }

 private:
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
};

class domain_test : public ::testing::Test {
 protected:
  domain_test() { env_.store = &store_; }

  // True once `a` has stopped by itself (passivated) within `limit`.
  template <class A>
  static bool stops_within(const actor_ref<A>& a, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!a.exit()) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  // Everything queued in `out` so far, parsed.
  static std::vector<nlohmann::json> drain(outbox& out) {
    std::vector<frame> frames;
    std::vector<nlohmann::json> parsed;
    while (out.queue().take(frames)) {
      for (auto& f : frames) parsed.push_back(nlohmann::json::parse(f->text()));
      frames.clear();
    }
    return parsed;
  }

  memory_store store_{1000, 1000};
  domain_env env_;
  test::client asker_;  // asks from outside; outlives the system, whose io threads post to it
  actor_system system_{system_config{2}};
};

}  // namespace troupe
