#pragma once
// The shared shape of every runtime benchmark, whatever carries the messages (troupe, a bare
// concurrent_channel, CAF): how big a round is, producers on their own std::threads, and the
// finish line a consumer crosses when a round is complete.
//
// Threads: run_producers runs on the benchmark's main thread and starts its own producer
// threads; finish_line::arrive belongs to the single consumer (whatever thread runs it),
// reset and wait to the main thread.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>

namespace troupe::bench {

using bench_clock = std::chrono::steady_clock;

// Round sizes: a full run uses the defaults; --smoke shrinks them so every workload runs once
// in well under a second.
struct round_sizes {
  std::uint64_t tell_messages = 200'000;  // messages per tell round (split among producers)
  std::uint64_t asks = 5'000;             // asks per ask round
  std::size_t mailbox_capacity = 1024;    // every mailbox and channel under test
};
round_sizes& sizes() noexcept;

// How long a round may take before the benchmark gives up on it (a hang, not a slow run).
inline constexpr std::chrono::seconds round_watchdog{60};

// Counts a consumer's messages and, at the expected count, records the time and tells the
// waiting main thread.
class finish_line {
 public:
  // Main thread, before the round's first message is sent.
  void reset(std::uint64_t expected);
  // Consumer: one message handled.
  void arrive() {
    if (++seen_ == expected_) done_.set_value(bench_clock::now());
  }
  // Main thread: the time the last message was handled; throws std::runtime_error after
  // round_watchdog.
  bench_clock::time_point wait();

 private:
  std::uint64_t expected_ = 0;
  std::uint64_t seen_ = 0;  // consumer only (reset happens-before the round's first message)
  std::promise<bench_clock::time_point> done_;
};

// Sends `messages` values (0, 1, ...) split across `producers` std::threads, each calling
// `try_send(value)` until it accepts (false means full: the thread yields and retries, and
// `refused` counts it). Returns the time the producers were released, once all have finished.
bench_clock::time_point run_producers(unsigned producers, std::uint64_t messages,
                                      const std::function<bool(std::uint64_t)>& try_send,
                                      std::atomic<std::uint64_t>& refused);

[[noreturn]] void throw_watchdog();

// Throws std::runtime_error if `f` is not ready within round_watchdog.
template <class T>
T get_within_watchdog(std::future<T>& f) {
  if (f.wait_for(round_watchdog) != std::future_status::ready) throw_watchdog();
  return f.get();
}

double seconds_between(bench_clock::time_point from, bench_clock::time_point to) noexcept;

// The benchmark loop of every tell workload: per iteration, one round of sizes().tell_messages
// sent by state.range(0) producer threads through `try_send`, timed from the producers' release
// until the consumer crosses `line`. Reports msgs/s, full/msg (refused sends per message) and
// cpu_ns/msg: the whole process's CPU time per message (producers, consumer, io threads, and
// starting the producer threads), which other load on the machine moves far less than
// throughput. False if a round failed; the state then carries the error.
bool run_tell_rounds(benchmark::State& state, finish_line& line,
                     const std::function<bool(std::uint64_t)>& try_send);

}  // namespace troupe::bench
