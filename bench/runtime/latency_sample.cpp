#include "bench/runtime/latency_sample.hpp"

#include <algorithm>
#include <cmath>

namespace troupe::bench {

double latency_sample::quantile_ns(double q) const {
  if (ns_.empty()) return 0;
  auto copy = ns_;
  auto k = static_cast<std::size_t>(std::floor(q * static_cast<double>(copy.size() - 1)));
  std::nth_element(copy.begin(), copy.begin() + static_cast<std::ptrdiff_t>(k), copy.end());
  return static_cast<double>(copy[k]);
}

void latency_sample::report(benchmark::State& state, const char* rate_name) const {
  state.counters["p50_ns"] = quantile_ns(0.50);
  state.counters["p99_ns"] = quantile_ns(0.99);
  state.counters[rate_name] =
      benchmark::Counter(static_cast<double>(ns_.size()), benchmark::Counter::kIsRate);
}

}  // namespace troupe::bench
