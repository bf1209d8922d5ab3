#include "bench/load/report.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace troupe::load {
namespace {

double us(std::uint64_t ns) {
  return static_cast<double>(ns) / 1000.0;
}
double round2(double v) {
  return std::round(v * 100.0) / 100.0;
}

std::string fixed(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

bool is_broadcast(const report& r) {
  return r.options.scenario == scenario_kind::broadcast;
}

}  // namespace

double report::rate() const noexcept {
  // Closed loop: requests sent in the window and completed. Fixed rate: completions received in
  // the window, so a server that falls behind is not credited with the rate it was offered.
  const auto n = options.rate > 0 ? totals.in_window : totals.completed;
  return window_s > 0 ? static_cast<double>(n) / window_s : 0.0;
}

std::uint64_t report::lost() const noexcept {
  return totals.expected_deliveries > totals.received ? totals.expected_deliveries - totals.received
                                                      : 0;
}

std::optional<double> report::kib_per_conn() const noexcept {
  if (!rss_before_kib || !rss_after_kib || connections == 0) return std::nullopt;
  return (static_cast<double>(*rss_after_kib) - static_cast<double>(*rss_before_kib)) /
         static_cast<double>(connections);
}

void judge(report& r) {
  const run_totals& t = r.totals;
  if (t.connection_errors > 0) {
    r.problems.push_back(std::to_string(t.connection_errors) +
                         " connection(s) failed or dropped; first: " + t.first_error);
  }
  if (t.protocol_errors > 0) {
    r.problems.push_back(std::to_string(t.protocol_errors) +
                         " error or unexpected frame(s); first: " + t.first_error);
  }
  if (r.options.scenario != scenario_kind::idle && t.completed == 0 && r.problems.empty()) {
    r.problems.push_back("nothing completed in the measured window");
  }
  if (t.unanswered > 0) {
    r.problems.push_back(std::to_string(t.unanswered) +
                         " request(s) never answered (lost, or later than the drain period)");
  }
  if (is_broadcast(r) && r.lost() > 0) {
    // A closed loop never overloads the server, so nothing may go missing; at a fixed rate an
    // overloaded server may drop by its overflow policy.
    (r.options.rate > 0 ? r.warnings : r.problems)
        .push_back(std::to_string(r.lost()) + " of " + std::to_string(t.expected_deliveries) +
                   " deliveries never arrived (dropped, or later than the drain period)");
  }
  if (r.options.rate > 0 && r.options.scenario != scenario_kind::idle &&
      r.rate() < 0.95 * r.options.rate) {
    r.warnings.push_back("achieved " + fixed(r.rate(), 0) + " " + r.unit + "/s of the " +
                         fixed(r.options.rate, 0) + "/s asked for");
  }
  if (r.cpu) {
    const double cores = std::min<double>(r.options.threads, usable_cores());
    if (r.cpu->client_pct >= 90.0 * cores) {
      r.load_tool_bound = true;
      r.warnings.push_back("the load tool is the bottleneck: its CPU was at " +
                           fixed(r.cpu->client_pct, 0) + "% (" + fixed(cores, 0) +
                           " core(s) usable); the server may go faster");
    }
  }
}

void print_table(std::ostream& out, const report& r) {
  const load_options& o = r.options;
  out << "troupe_load " << to_string(o.scenario) << " -> " << to_string(o.target) << " " << o.host
      << ":" << o.port << "  (" << r.connections << " connection(s), " << o.threads
      << " io thread(s))\n";
  switch (o.scenario) {
    case scenario_kind::echo:
      out << "  load        " << o.inflight << " in flight per connection, " << o.size
          << " B payload\n";
      break;
    case scenario_kind::counter:
      out << "  load        " << o.inflight << " in flight per connection, "
          << (o.per_conn ? "one counter per connection" : "one shared counter") << "\n";
      break;
    case scenario_kind::broadcast:
      out << "  load        " << o.rooms << " room(s) x " << o.members << " members, "
          << o.publishers << " publisher(s), "
          << (o.rate > 0 ? fixed(o.rate, 0) + " deliveries/s asked"
                         : std::to_string(o.inflight) + " in flight per publisher (closed loop)")
          << "\n";
      break;
    case scenario_kind::idle:
      out << "  load        " << o.members << " per room, held " << fixed(o.hold_s) << " s\n";
      break;
    case scenario_kind::churn:
      out << "  load        connect, join, " << (o.target == target_kind::troupe ? "leave, " : "")
          << "close; " << (o.rate > 0 ? fixed(o.rate, 0) + " cycles/s asked" : "closed loop")
          << "\n";
      break;
  }
  if (r.setup_s > 0) out << "  setup       " << fixed(r.setup_s, 2) << " s to open all\n";
  if (o.scenario != scenario_kind::idle) {
    const histogram& h = r.totals.latency;
    out << "  throughput  " << fixed(r.rate(), 1) << " " << r.unit << "/s  (" << r.totals.completed
        << " in " << fixed(r.window_s, 2) << " s)\n";
    out << "  latency us  p50 " << fixed(us(h.percentile_ns(0.5))) << "  p90 "
        << fixed(us(h.percentile_ns(0.9))) << "  p99 " << fixed(us(h.percentile_ns(0.99)))
        << "  p99.9 " << fixed(us(h.percentile_ns(0.999))) << "  max " << fixed(us(h.max_ns()))
        << "  mean " << fixed(h.mean_ns() / 1000.0) << "\n";
  }
  if (r.rss_before_kib && r.rss_after_kib) {
    out << "  server rss  " << *r.rss_before_kib << " KiB before, " << *r.rss_after_kib
        << " KiB after: " << fixed(*r.kib_per_conn(), 2) << " KiB per connection\n";
  }
  if (r.cpu) {
    out << "  cpu         load tool " << fixed(r.cpu->client_pct, 0) << "%";
    if (r.cpu->server_pct) out << ", server " << fixed(*r.cpu->server_pct, 0) << "%";
    out << " (of one core)\n";
  }
  out << "  errors      " << r.totals.connection_errors << " connection, "
      << r.totals.protocol_errors << " protocol";
  if (is_broadcast(r)) out << ", " << r.lost() << " lost deliveries";
  out << "\n";
  for (const auto& w : r.warnings) out << "  WARNING     " << w << "\n";
  for (const auto& p : r.problems) out << "  FAILED      " << p << "\n";
  if (r.overstayed) out << "  FAILED      the run did not stop by its deadline\n";
}

std::string json_line(const report& r) {
  const load_options& o = r.options;
  const histogram& h = r.totals.latency;
  nlohmann::ordered_json j;
  j["scenario"] = to_string(o.scenario);
  j["target"] = to_string(o.target);
  j["conns"] = r.connections;
  j["threads"] = o.threads;
  switch (o.scenario) {
    case scenario_kind::echo:
      j["inflight"] = o.inflight;
      j["size"] = o.size;
      break;
    case scenario_kind::counter:
      j["inflight"] = o.inflight;
      j["per_conn"] = o.per_conn;
      break;
    case scenario_kind::broadcast:
      j["rooms"] = o.rooms;
      j["members"] = o.members;
      j["publishers"] = o.publishers;
      j["inflight"] = o.inflight;
      break;
    case scenario_kind::idle:
      j["members"] = o.members;
      j["hold_s"] = o.hold_s;
      break;
    case scenario_kind::churn:
      j["rooms"] = o.rooms;
      break;
  }
  j["target_rate"] = o.rate;
  j["unit"] = r.unit;
  j["duration_s"] = round2(r.window_s);
  j["rate"] = round2(r.rate());
  j["count"] = r.totals.completed;
  j["p50_us"] = round2(us(h.percentile_ns(0.5)));
  j["p90_us"] = round2(us(h.percentile_ns(0.9)));
  j["p99_us"] = round2(us(h.percentile_ns(0.99)));
  j["p999_us"] = round2(us(h.percentile_ns(0.999)));
  j["max_us"] = round2(us(h.max_ns()));
  j["mean_us"] = round2(h.mean_ns() / 1000.0);
  j["connection_errors"] = r.totals.connection_errors;
  j["protocol_errors"] = r.totals.protocol_errors;
  j["unanswered"] = r.totals.unanswered;
  j["lost"] = r.lost();
  j["setup_s"] = round2(r.setup_s);
  if (r.cpu) {
    j["client_cpu_pct"] = round2(r.cpu->client_pct);
    if (r.cpu->server_pct) j["server_cpu_pct"] = round2(*r.cpu->server_pct);
  }
  if (r.rss_before_kib) j["rss_before_kib"] = *r.rss_before_kib;
  if (r.rss_after_kib) j["rss_after_kib"] = *r.rss_after_kib;
  if (auto k = r.kib_per_conn()) j["kib_per_conn"] = round2(*k);
  j["load_tool_bound"] = r.load_tool_bound;
  j["ok"] = exit_code(r) == 0;
  return j.dump();
}

int exit_code(const report& r) noexcept {
  if (r.overstayed) return 3;
  return r.problems.empty() ? 0 : 1;
}

}  // namespace troupe::load
