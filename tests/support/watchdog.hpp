#pragma once
// watchdog: aborts the test binary if the scope it guards is not left within `limit`, so a hung
// test fails CI with a message instead of stalling it (a hang may be inside a destructor, where no
// assertion can reach it). Servers an integration test started die with it (troupe_process sets
// PR_SET_PDEATHSIG). Limits are generous: they bound a hang, they are not expected timings.
//
// Threads: runs one thread of its own; construct and destroy it on the same thread.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace troupe::test {

// "suite.test" of the running GoogleTest test, or "?" outside one.
inline std::string current_test_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return info ? std::string(info->test_suite_name()) + "." + info->name() : "?";
}

class watchdog {
 public:
  explicit watchdog(std::chrono::milliseconds limit = std::chrono::seconds(15),
                    std::string what = current_test_name())
      : what_(std::move(what)), thread_([this, limit] {
          std::unique_lock lock(mu_);
          if (!cv_.wait_for(lock, limit, [this] { return disarmed_; })) {
            std::fprintf(stderr, "watchdog: %s still running after %lld ms; aborting\n",
                         what_.c_str(), static_cast<long long>(limit.count()));
            std::fflush(stderr);
            std::abort();
          }
        }) {}
  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;
  ~watchdog() {
    {
      std::lock_guard lock(mu_);
      disarmed_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  std::string what_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool disarmed_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace troupe::test
