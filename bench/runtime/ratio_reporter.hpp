#pragma once
// ratio_reporter: the usual console output, then a table that sets each troupe figure beside
// the same workload on a bare concurrent_channel (and CAF, when built in) as ratios
// troupe/other, and checks the targets from the runtime's benchmark issue.
//
// Threads: Google Benchmark calls it from the main thread only.
#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

namespace troupe::bench {

// One row of the table: a counter of a troupe benchmark against its baselines.
struct comparison {
  std::string workload;  // as printed
  std::string metric;    // the counter compared, e.g. "msgs/s" or "p50_ns"
  std::string troupe;    // benchmark keys: "<name>[/<args>]", e.g. "troupe/tell/producers:8"
  std::string channel;
  std::string caf;               // empty: no CAF counterpart
  double target = 0;             // 0: no target
  bool higher_is_better = true;  // for the target check
};

class ratio_reporter : public benchmark::ConsoleReporter {
 public:
  // `note`, if not empty, is printed above the table.
  ratio_reporter(std::vector<comparison> rows, std::string note);

  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

  // True if any benchmark reported an error (a wrong reply, a round past its watchdog).
  bool any_error() const noexcept { return any_error_; }

 private:
  // The figure for `key`'s `metric`, if that benchmark ran without error.
  const double* find(const std::string& key, const std::string& metric) const;

  std::vector<comparison> rows_;
  std::string note_;
  bool any_error_ = false;
  // key -> counter -> value; a "median" aggregate (with --benchmark_repetitions) overrides runs.
  std::map<std::string, std::map<std::string, double>> figures_;
  std::map<std::string, bool> from_median_;
};

}  // namespace troupe::bench
