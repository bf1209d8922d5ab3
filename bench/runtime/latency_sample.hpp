#pragma once
// latency_sample: every round-trip time a benchmark measured, reported as the median and the
// 99th percentile (benchmark counters p50_ns, p99_ns) plus the operation rate.
//
// Not thread-safe: one recorder at a time (the asking coroutine or actor); the main thread
// reports after the rounds, once the recorder's round has completed.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace troupe::bench {

class latency_sample {
 public:
  // Room for n more samples (grows geometrically: rounds add up over a run).
  void reserve(std::size_t n) {
    if (ns_.capacity() < ns_.size() + n) ns_.reserve(std::max(2 * ns_.capacity(), ns_.size() + n));
  }
  void add(std::chrono::nanoseconds d) { ns_.push_back(d.count()); }
  std::size_t size() const noexcept { return ns_.size(); }

  // The q-quantile (0 <= q <= 1) in nanoseconds; 0 when empty.
  double quantile_ns(double q) const;

  // Sets p50_ns and p99_ns, and `rate_name` (per second) to the number of samples.
  void report(benchmark::State& state, const char* rate_name) const;

 private:
  std::vector<std::int64_t> ns_;
};

}  // namespace troupe::bench
