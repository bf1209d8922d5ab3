#include "bench/runtime/workload.hpp"

#include <ctime>
#include <latch>
#include <stdexcept>
#include <thread>
#include <vector>

namespace troupe::bench {

round_sizes& sizes() noexcept {
  static round_sizes s;
  return s;
}

void finish_line::reset(std::uint64_t expected) {
  expected_ = expected;
  seen_ = 0;
  done_ = std::promise<bench_clock::time_point>();
}

bench_clock::time_point finish_line::wait() {
  auto f = done_.get_future();
  return get_within_watchdog(f);
}

bench_clock::time_point run_producers(unsigned producers, std::uint64_t messages,
                                      const std::function<bool(std::uint64_t)>& try_send,
                                      std::atomic<std::uint64_t>& refused) {
  std::latch ready(producers);
  std::latch go(1);
  std::vector<std::jthread> threads;
  threads.reserve(producers);
  for (unsigned p = 0; p < producers; ++p) {
    const std::uint64_t first = messages * p / producers;
    const std::uint64_t last = messages * (p + 1) / producers;
    threads.emplace_back([&, first, last] {
      std::uint64_t full = 0;
      ready.count_down();
      go.wait();
      for (auto v = first; v < last; ++v) {
        while (!try_send(v)) {
          ++full;
          std::this_thread::yield();
        }
      }
      refused.fetch_add(full, std::memory_order_relaxed);
    });
  }
  ready.wait();
  const auto start = bench_clock::now();
  go.count_down();
  return start;  // the jthreads join here, before the caller waits for the consumer
}

void throw_watchdog() {
  throw std::runtime_error("benchmark round did not finish within the watchdog");
}

double seconds_between(bench_clock::time_point from, bench_clock::time_point to) noexcept {
  return std::chrono::duration<double>(to - from).count();
}

namespace {
double process_cpu_seconds() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
}  // namespace

bool run_tell_rounds(benchmark::State& state, finish_line& line,
                     const std::function<bool(std::uint64_t)>& try_send) {
  const auto producers = static_cast<unsigned>(state.range(0));
  const auto n = sizes().tell_messages;
  std::atomic<std::uint64_t> refused{0};
  double cpu = 0;
  bool ok = true;
  for (auto _ : state) {
    line.reset(n);
    const double cpu_before = process_cpu_seconds();
    const auto start = run_producers(producers, n, try_send, refused);
    try {
      state.SetIterationTime(seconds_between(start, line.wait()));
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      ok = false;
      break;
    }
    cpu += process_cpu_seconds() - cpu_before;
  }
  const auto total = static_cast<double>(state.iterations()) * static_cast<double>(n);
  state.counters["msgs/s"] = benchmark::Counter(total, benchmark::Counter::kIsRate);
  state.counters["full/msg"] = static_cast<double>(refused.load()) / total;
  state.counters["cpu_ns/msg"] = cpu * 1e9 / total;
  return ok;
}

}  // namespace troupe::bench
