#include "bench/load/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace troupe::load {

// Layout: indexes [0, 128) hold the values 0..127 exactly. Above that, a value whose highest
// set bit is b (b >= 7) is shifted right by s = b - 6 into [64, 128); octave s owns the 64
// indexes starting at 128 + (s - 1) * 64.
std::size_t histogram::index_of(std::uint64_t ns) noexcept {
  if (ns < 2 * sub_count) return static_cast<std::size_t>(ns);
  const unsigned top_bit = 63u - static_cast<unsigned>(std::countl_zero(ns));
  const unsigned shift = top_bit - sub_bucket_bits;
  return static_cast<std::size_t>(2 * sub_count + (shift - 1) * sub_count +
                                  ((ns >> shift) - sub_count));
}

std::uint64_t histogram::highest_in_bucket(std::size_t index) noexcept {
  if (index < 2 * sub_count) return index;
  const std::uint64_t shift = (index - 2 * sub_count) / sub_count + 1;
  const std::uint64_t sub = (index - 2 * sub_count) % sub_count + sub_count;
  return ((sub + 1) << shift) - 1;
}

void histogram::record(std::chrono::nanoseconds d) noexcept {
  record_ns(d.count() < 0 ? 0 : static_cast<std::uint64_t>(d.count()));
}

void histogram::record_ns(std::uint64_t ns) noexcept {
  ++buckets_[index_of(ns)];
  ++count_;
  min_ = std::min(min_, ns);
  max_ = std::max(max_, ns);
  sum_ += static_cast<long double>(ns);
}

void histogram::merge(const histogram& other) noexcept {
  for (std::size_t i = 0; i < bucket_count; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

double histogram::mean_ns() const noexcept {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

std::uint64_t histogram::percentile_ns(double q) const noexcept {
  if (count_ == 0) return 0;
  if (q >= 1.0) return max_;
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(std::max(q, 0.0) * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(highest_in_bucket(i), max_);
  }
  return max_;
}

}  // namespace troupe::load
