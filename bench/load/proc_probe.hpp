#pragma once
// proc_probe: CPU time and resident memory of this process (getrusage) and of the server under
// test (/proc/<pid>/stat and /status). Main thread.
#include "bench/load/run_plan.hpp"

#include <cstdint>
#include <optional>

namespace troupe::load {

struct proc_sample {
  clock::time_point at;
  double self_cpu_s = 0;
  std::optional<double> server_cpu_s;
};

struct cpu_use {
  double client_pct = 0;  // percent of one core
  std::optional<double> server_pct;
};

proc_sample take_sample(int server_pid);
cpu_use cpu_between(const proc_sample& from, const proc_sample& to);
std::optional<std::uint64_t> rss_kib(int pid);
// CPUs this process may run on (taskset narrows it).
unsigned usable_cores();

// Sleeps until plan.measure_from, then until plan.measure_until, and returns the CPU used in
// between by this process and the server.
cpu_use watch_window(const run_plan& plan, int server_pid);

}  // namespace troupe::load
