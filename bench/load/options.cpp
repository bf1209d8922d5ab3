#include "bench/load/options.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <string_view>

namespace troupe::load {
namespace {

template <class T>
bool parse_number(std::string_view text, T& out) {
  if constexpr (std::is_floating_point_v<T>) {
    try {
      std::size_t used = 0;
      out = static_cast<T>(std::stod(std::string(text), &used));
      return used == text.size() && out >= 0;
    } catch (const std::exception&) {
      return false;
    }
  } else {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
  }
}

}  // namespace

std::string_view to_string(scenario_kind s) noexcept {
  switch (s) {
    case scenario_kind::echo:
      return "echo";
    case scenario_kind::counter:
      return "counter";
    case scenario_kind::broadcast:
      return "broadcast";
    case scenario_kind::idle:
      return "idle";
    case scenario_kind::churn:
      return "churn";
  }
  return "?";
}

std::string_view to_string(target_kind t) noexcept {
  return t == target_kind::troupe ? "troupe" : "baseline";
}

std::string usage() {
  return R"(usage: troupe_load --scenario echo|counter|broadcast|idle|churn [options]
common:    --host 127.0.0.1 --port 8080 --target troupe|baseline --threads 1
           --duration 10 --warmup 1 --drain 2 (seconds) --server-pid PID
           --source-ips 16 --connect-lanes 64 --connect-timeout 10 --setup-timeout 120
echo:      --conns 100 --inflight 1 --size 64
counter:   --conns 100 --inflight 1 [--per-conn]
broadcast: --rooms 1 --members 100 --publishers 1 [--inflight 1 | --rate DELIVERIES_PER_S]
idle:      --conns 10000 --members 100 --hold 10
churn:     --conns 10 (parallel workers) --rooms 1 [--rate CYCLES_PER_S]
Prints a table, then one JSON line. Exit: 0 ok, 1 run failed, 2 usage, 3 did not stop in time.
)";
}

parse_result parse_options(int argc, char** argv) {
  parse_result r;
  load_options& o = r.options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      r.help = true;
      return r;
    }
    if (flag == "--per-conn") {
      o.per_conn = true;
      continue;
    }
    if (i + 1 >= argc) {
      r.error = "missing value after " + std::string(flag);
      return r;
    }
    const std::string_view v = argv[++i];
    bool ok = true;
    if (flag == "--scenario") {
      if (v == "echo")
        o.scenario = scenario_kind::echo;
      else if (v == "counter")
        o.scenario = scenario_kind::counter;
      else if (v == "broadcast")
        o.scenario = scenario_kind::broadcast;
      else if (v == "idle")
        o.scenario = scenario_kind::idle;
      else if (v == "churn")
        o.scenario = scenario_kind::churn;
      else
        ok = false;
    } else if (flag == "--target") {
      if (v == "troupe")
        o.target = target_kind::troupe;
      else if (v == "baseline")
        o.target = target_kind::baseline;
      else
        ok = false;
    } else if (flag == "--host") {
      o.host = std::string(v);
    } else if (flag == "--port") {
      ok = parse_number(v, o.port);
    } else if (flag == "--threads") {
      ok = parse_number(v, o.threads) && o.threads > 0;
    } else if (flag == "--duration") {
      ok = parse_number(v, o.duration_s) && o.duration_s > 0;
    } else if (flag == "--warmup") {
      ok = parse_number(v, o.warmup_s);
    } else if (flag == "--drain") {
      ok = parse_number(v, o.drain_s);
    } else if (flag == "--conns") {
      ok = parse_number(v, o.conns) && o.conns > 0;
    } else if (flag == "--inflight") {
      ok = parse_number(v, o.inflight) && o.inflight > 0;
    } else if (flag == "--size") {
      ok = parse_number(v, o.size);
    } else if (flag == "--rooms") {
      ok = parse_number(v, o.rooms) && o.rooms > 0;
    } else if (flag == "--members") {
      ok = parse_number(v, o.members) && o.members > 0;
    } else if (flag == "--publishers") {
      ok = parse_number(v, o.publishers) && o.publishers > 0;
    } else if (flag == "--rate") {
      ok = parse_number(v, o.rate);
    } else if (flag == "--hold") {
      ok = parse_number(v, o.hold_s);
    } else if (flag == "--server-pid") {
      ok = parse_number(v, o.server_pid) && o.server_pid > 0;
    } else if (flag == "--source-ips") {
      ok = parse_number(v, o.source_ips) && o.source_ips <= 250;
    } else if (flag == "--connect-lanes") {
      ok = parse_number(v, o.connect_lanes) && o.connect_lanes > 0;
    } else if (flag == "--connect-timeout") {
      ok = parse_number(v, o.connect_timeout_s) && o.connect_timeout_s > 0;
    } else if (flag == "--setup-timeout") {
      ok = parse_number(v, o.setup_timeout_s) && o.setup_timeout_s > 0;
    } else {
      r.error = "unknown option " + std::string(flag);
      return r;
    }
    if (!ok) {
      r.error = "bad value '" + std::string(v) + "' for " + std::string(flag);
      return r;
    }
  }
  in_addr addr{};
  if (inet_pton(AF_INET, o.host.c_str(), &addr) != 1) {
    r.error = "--host must be an IPv4 address, not '" + o.host + "'";
  } else if (o.scenario == scenario_kind::broadcast && o.publishers > o.rooms * o.members) {
    r.error = "--publishers exceeds the number of members";
  } else if (o.rate > 0 && o.scenario != scenario_kind::broadcast &&
             o.scenario != scenario_kind::churn) {
    r.error = "--rate applies to broadcast and churn only (" + std::string(to_string(o.scenario)) +
              " runs a closed loop)";
  }
  return r;
}

}  // namespace troupe::load
