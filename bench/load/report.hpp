#pragma once
// report: the outcome of one run, judged (problems make the run fail) and printed as a table
// for people and as one JSON line for scripts. Main thread.
#include "bench/load/options.hpp"
#include "bench/load/proc_probe.hpp"
#include "bench/load/stats.hpp"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace troupe::load {

struct report {
  load_options options;
  std::string unit;             // what the rate counts: "round trips", "deliveries", ...
  std::size_t connections = 0;  // connections held (churn: parallel workers)
  double window_s = 0;          // measured window
  double setup_s = 0;           // time to open (and join) every connection
  run_totals totals;
  std::optional<cpu_use> cpu;
  std::optional<std::uint64_t> rss_before_kib;  // idle: server RSS before connecting
  std::optional<std::uint64_t> rss_after_kib;   // idle: ... after holding the connections
  std::vector<std::string> problems;            // the run failed (exit 1)
  std::vector<std::string> warnings;
  bool overstayed = false;       // did not stop by its deadline (exit 3)
  bool load_tool_bound = false;  // the load tool's CPU was saturated

  double rate() const noexcept;
  std::uint64_t lost() const noexcept;  // broadcast: deliveries that never arrived
  std::optional<double> kib_per_conn() const noexcept;
};

// Turns the totals into problems and warnings (call once, after the run).
void judge(report& r);
void print_table(std::ostream& out, const report& r);
std::string json_line(const report& r);
int exit_code(const report& r) noexcept;

}  // namespace troupe::load
