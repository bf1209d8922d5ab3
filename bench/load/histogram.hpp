#pragma once
// histogram: an HdrHistogram-like latency record. Values (nanoseconds) fall into log-linear
// buckets: exact below 128 ns, then 64 linear sub-buckets per power of two, so any reported
// percentile is within 1/64 (1.6 %) of the true value, from 1 ns up to 2^63 ns.
//
// Not thread-safe: each io thread records into its own histogram; merge() them once the
// threads have stopped.
#include <array>
#include <chrono>
#include <cstdint>

namespace troupe::load {

class histogram {
 public:
  static constexpr unsigned sub_bucket_bits = 6;                     // 64 sub-buckets per octave
  static constexpr std::uint64_t sub_count = 1u << sub_bucket_bits;  // 64
  static constexpr std::size_t bucket_count = 2 * sub_count + (63 - sub_bucket_bits) * sub_count;

  void record(std::chrono::nanoseconds d) noexcept;
  void record_ns(std::uint64_t ns) noexcept;
  void merge(const histogram& other) noexcept;

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t max_ns() const noexcept { return max_; }
  std::uint64_t min_ns() const noexcept { return count_ == 0 ? 0 : min_; }
  double mean_ns() const noexcept;
  // The smallest recorded-bucket bound at or below which a fraction q (0..1) of the values lie;
  // q = 1 gives the exact maximum. 0 when empty.
  std::uint64_t percentile_ns(double q) const noexcept;

  // Bucket arithmetic, public for the tests.
  static std::size_t index_of(std::uint64_t ns) noexcept;
  static std::uint64_t highest_in_bucket(std::size_t index) noexcept;

 private:
  std::array<std::uint64_t, bucket_count> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace troupe::load
