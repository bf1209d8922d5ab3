#pragma once
// A lock-free latency histogram with power-of-two microsecond buckets; cheap enough to record
// every ask. Thread-safe.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace troupe {

class latency_histogram {
 public:
  static constexpr std::size_t bucket_count = 24;  // <=1us, <=2us, ... <=2^22us (~4 s), +inf

  void record(std::chrono::nanoseconds d) noexcept {
    auto us = static_cast<std::uint64_t>(d.count() / 1000);
    std::size_t i = 0;
    while (i + 1 < bucket_count && us > (std::uint64_t{1} << i)) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<std::uint64_t>(d.count()), std::memory_order_relaxed);
  }

  // Upper bound of bucket i in seconds (the last is +inf).
  static double upper_bound_seconds(std::size_t i) noexcept {
    return static_cast<double>(std::uint64_t{1} << i) / 1e6;
  }
  std::uint64_t count(std::size_t i) const noexcept { return buckets_[i].load(std::memory_order_relaxed); }
  std::uint64_t sum_ns() const noexcept { return sum_ns_.load(std::memory_order_relaxed); }

 private:
  std::array<std::atomic<std::uint64_t>, bucket_count> buckets_{};
  std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace troupe
