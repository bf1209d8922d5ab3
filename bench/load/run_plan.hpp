#pragma once
// run_plan: the timeline of one run, fixed by the main thread before the load starts and then
// only read (from any thread).
//
//   start ── warmup ── measure_from ── duration ── measure_until ── drain ── drain_until
//
// Requests are sent from start until measure_until; those whose (intended) send time falls in
// [measure_from, measure_until) are measured, whenever their reply arrives before drain_until.
// A reply or delivery read after drain_until counts as never answered (or lost).
#include "bench/load/options.hpp"

#include <chrono>
#include <cstdint>

namespace troupe::load {

using clock = std::chrono::steady_clock;

struct run_plan {
  clock::time_point start;
  clock::time_point measure_from;
  clock::time_point measure_until;
  clock::time_point drain_until;

  static run_plan starting_now(const load_options& o) {
    using std::chrono::duration_cast;
    using secs = std::chrono::duration<double>;
    run_plan p;
    p.start = clock::now() + std::chrono::milliseconds(20);
    p.measure_from = p.start + duration_cast<clock::duration>(secs(o.warmup_s));
    p.measure_until = p.measure_from + duration_cast<clock::duration>(secs(o.duration_s));
    p.drain_until = p.measure_until + duration_cast<clock::duration>(secs(o.drain_s));
    return p;
  }
  bool measured(clock::time_point sent) const noexcept {
    return sent >= measure_from && sent < measure_until;
  }
  bool in_window(clock::time_point received) const noexcept { return measured(received); }
  bool late(clock::time_point received) const noexcept { return received >= drain_until; }
  double window_seconds() const noexcept {
    return std::chrono::duration<double>(measure_until - measure_from).count();
  }
};

// Steady-clock time points as integers, to travel inside message text.
inline std::int64_t to_ns(clock::time_point t) noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
inline clock::time_point from_ns(std::int64_t ns) noexcept {
  return clock::time_point(
      std::chrono::duration_cast<clock::duration>(std::chrono::nanoseconds(ns)));
}

inline std::chrono::nanoseconds seconds_ns(double s) noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(s));
}

}  // namespace troupe::load
