// runtime_bench: the actor runtime's benchmarks (tell throughput, ask latency) against a bare
// concurrent_channel and, when built with it, CAF. Google Benchmark's flags apply, plus
//   --smoke   small rounds, for the ctest smoke run (pair with --benchmark_min_time=0.01).
#include "bench/runtime/ratio_reporter.hpp"
#include "bench/runtime/workload.hpp"

#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

namespace {

// Rows whose baseline did not run (CAF not built in, a --benchmark_filter) show "-".
std::vector<troupe::bench::comparison> comparisons() {
  return {
      {"tell, 1 producer thread", "msgs/s", "troupe/tell/producers:1", "channel/tell/producers:1",
       "caf/tell/producers:1", 5e6, true},
      {"tell, 8 producer threads", "msgs/s", "troupe/tell/producers:8", "channel/tell/producers:8",
       "caf/tell/producers:8", 5e6, true},
      {"tell, 1 producer thread", "cpu_ns/msg", "troupe/tell/producers:1",
       "channel/tell/producers:1", "caf/tell/producers:1", 0, false},
      {"tell, 8 producer threads", "cpu_ns/msg", "troupe/tell/producers:8",
       "channel/tell/producers:8", "caf/tell/producers:8", 0, false},
      {"ask from io coroutine", "p50_ns", "troupe/ask/coroutine", "channel/ask/coroutine", "", 1000,
       false},
      {"ask from io coroutine", "p99_ns", "troupe/ask/coroutine", "channel/ask/coroutine", "", 0,
       false},
      {"ask actor->actor", "p50_ns", "troupe/ask/actor", "channel/ask/coroutine", "caf/ask/actor",
       1000, false},
      {"ask actor->actor", "p99_ns", "troupe/ask/actor", "channel/ask/coroutine", "caf/ask/actor",
       0, false},
  };
}

}  // namespace

int main(int argc, char** argv) {
  // Take out our own flag before Google Benchmark sees the rest.
  int kept = 1;
  bool smoke = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--smoke") == 0) {
      smoke = true;
      auto& s = troupe::bench::sizes();
      s.tell_messages = 20'000;
      s.asks = 500;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  troupe::bench::ratio_reporter reporter(
      comparisons(), smoke ? "--smoke: rounds too small to measure anything; this checks that "
                             "every workload runs and answers correctly."
                           : "");
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return reporter.any_error() ? 1 : 0;  // a failed workload fails the smoke test
}
