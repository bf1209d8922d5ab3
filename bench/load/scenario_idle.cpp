// idle: N connections, each joined to a room of `members`, held quiet for `hold` seconds. The
// server's RSS is read before connecting and at the end of the hold; the difference over N is
// the server's memory per idle connection. Connections come from many 127.0.0.x addresses, so
// the ephemeral port range of one source address is no limit.
#include "bench/load/deliveries.hpp"
#include "bench/load/fleet.hpp"
#include "bench/load/scenarios.hpp"

#include <thread>

namespace troupe::load {

report run_idle(const load_options& o) {
  report r = start_report(o, "connections", o.conns);
  std::vector<thread_stats> stats(o.threads);
  io_pool pool(o.threads);
  delivery_context run;  // never started: members only watch for drops and errors
  run.target = o.target;
  fleet conns(pool, stats, dial_plan_for(o), o.conns);

  r.rss_before_kib = rss_kib(o.server_pid);
  const auto t0 = clock::now();
  const auto timeout = seconds_ns(o.connect_timeout_s);
  auto join = [&o, timeout](connection& c, std::size_t i) {
    return join_room(c, o.target, 1, numbered("idle", i / o.members), numbered("m", i), timeout);
  };
  auto read = [&run, &stats](std::shared_ptr<connection> c, std::size_t) {
    thread_stats& s = stats[c->thread];
    return read_deliveries(std::move(c), run, s);
  };
  if (!conns.open_all(o.connect_lanes, join, read, t0 + seconds_ns(o.setup_timeout_s))) {
    r.problems.push_back("could not open and join all " + std::to_string(o.conns) + " connections");
    conclude(r, pool, stats);
    return r;
  }
  const auto held_from = clock::now();
  r.setup_s = std::chrono::duration<double>(held_from - t0).count();

  const proc_sample from = take_sample(o.server_pid);
  std::this_thread::sleep_until(held_from + seconds_ns(o.hold_s));  // the hold is the scenario
  r.cpu = cpu_between(from, take_sample(o.server_pid));
  r.rss_after_kib = rss_kib(o.server_pid);
  r.window_s = o.hold_s;

  const auto deadline = clock::now() + close_timeout + std::chrono::seconds(1) +
                        std::chrono::milliseconds(o.conns / 2);  // closing 19k takes a while
  r.overstayed = !conns.close_all(close_timeout, deadline);
  conclude(r, pool, stats);
  return r;
}

}  // namespace troupe::load
