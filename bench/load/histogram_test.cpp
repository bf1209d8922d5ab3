#include "bench/load/histogram.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>

namespace troupe::load {
namespace {

TEST(Histogram, EmptyReportsZero) {
  histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile_ns(0.5), 0u);
  EXPECT_EQ(h.max_ns(), 0u);
  EXPECT_EQ(h.mean_ns(), 0.0);
}

TEST(Histogram, SmallValuesAreExact) {
  histogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record_ns(v);
  EXPECT_EQ(h.percentile_ns(0.5), 50u);
  EXPECT_EQ(h.percentile_ns(0.99), 99u);
  EXPECT_EQ(h.percentile_ns(1.0), 100u);
  EXPECT_EQ(h.min_ns(), 1u);
  EXPECT_DOUBLE_EQ(h.mean_ns(), 50.5);
}

TEST(Histogram, EveryValueLandsInABucketThatHoldsIt) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t v = rng() >> (rng() % 64);
    const std::size_t idx = histogram::index_of(v);
    ASSERT_LT(idx, histogram::bucket_count);
    const std::uint64_t hi = histogram::highest_in_bucket(idx);
    ASSERT_GE(hi, v);
    // Within 1/64 of the value: the documented precision.
    ASSERT_LE(hi - v, v / 64) << "v=" << v;
    if (idx > 0) {
      ASSERT_LT(histogram::highest_in_bucket(idx - 1), v) << "v=" << v;
    }
  }
  EXPECT_EQ(histogram::index_of(UINT64_MAX), histogram::bucket_count - 1);
}

TEST(Histogram, PercentilesOfAUniformSpreadAreWithinPrecision) {
  histogram h;
  for (std::uint64_t us = 1; us <= 10000; ++us) h.record_ns(us * 1000);  // 1 us .. 10 ms
  const auto near = [](std::uint64_t got, double want) {
    return got >= want && static_cast<double>(got) <= want * (1.0 + 1.0 / 64);
  };
  EXPECT_TRUE(near(h.percentile_ns(0.5), 5'000'000)) << h.percentile_ns(0.5);
  EXPECT_TRUE(near(h.percentile_ns(0.9), 9'000'000)) << h.percentile_ns(0.9);
  EXPECT_TRUE(near(h.percentile_ns(0.99), 9'900'000)) << h.percentile_ns(0.99);
  EXPECT_TRUE(near(h.percentile_ns(0.999), 9'990'000)) << h.percentile_ns(0.999);
  EXPECT_EQ(h.max_ns(), 10'000'000u);
}

TEST(Histogram, MergeAddsCountsAndKeepsExtremes) {
  histogram a, b;
  a.record_ns(1000);
  a.record_ns(2000);
  b.record_ns(5'000'000);
  a.merge(b);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.min_ns(), 1000u);
  EXPECT_EQ(a.max_ns(), 5'000'000u);
  EXPECT_EQ(a.percentile_ns(1.0), 5'000'000u);
  EXPECT_LE(a.percentile_ns(0.5), 2000u + 2000u / 64);
}

}  // namespace
}  // namespace troupe::load
