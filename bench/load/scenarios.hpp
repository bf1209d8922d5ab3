#pragma once
// The scenarios troupe_load runs, one function each (each in its own scenario_*.cpp), and what
// they share. Each runs on the main thread: it owns its io_pool and connections, drives the
// run, halts its threads and returns the judged report.
#include "bench/load/connection.hpp"
#include "bench/load/io_pool.hpp"
#include "bench/load/options.hpp"
#include "bench/load/report.hpp"
#include "bench/load/stats.hpp"

#include <chrono>
#include <vector>

namespace troupe::load {

report run_request_reply(const load_options& o);  // echo and counter
report run_broadcast(const load_options& o);
report run_idle(const load_options& o);
report run_churn(const load_options& o);

// Shared by the scenarios.
inline constexpr std::chrono::seconds close_timeout{5};

dial_plan dial_plan_for(const load_options& o);
// A report for `o` before the run.
report start_report(const load_options& o, std::string unit, std::size_t connections);
// Halts the io threads, then sums their stats into r and judges it.
void conclude(report& r, io_pool& pool, const std::vector<thread_stats>& stats);

}  // namespace troupe::load
