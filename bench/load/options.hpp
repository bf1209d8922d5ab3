#pragma once
// load_options: troupe_load's command line, parsed once on the main thread.
#include "bench/load/wire.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace troupe::load {

enum class scenario_kind { echo, counter, broadcast, idle, churn };

struct load_options {
  scenario_kind scenario = scenario_kind::echo;
  target_kind target = target_kind::troupe;
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  unsigned threads = 1;         // io threads of the load tool
  double duration_s = 10;       // measured window
  double warmup_s = 1;          // load applied but not measured, before the window
  double drain_s = 2;           // after the window: wait at most this long for replies in flight
  unsigned conns = 100;         // echo, counter, idle: connections; churn: parallel workers
  unsigned inflight = 1;        // echo, counter: requests in flight per connection;
                                // broadcast (closed loop): messages in flight per publisher
  std::size_t size = 64;        // echo: payload bytes
  bool per_conn = false;        // counter: one counter per connection instead of one shared
  unsigned rooms = 1;           // broadcast, churn
  unsigned members = 100;       // broadcast: members per room; idle: connections per room
  unsigned publishers = 1;      // broadcast: publishers in total, spread over the rooms
  double rate = 0;              // broadcast: deliveries/s; churn: cycles/s; 0 = closed loop
  double hold_s = 10;           // idle: how long the connections are held
  int server_pid = 0;           // read the server's RSS and CPU time from /proc/<pid>
  unsigned source_ips = 16;     // spread local addresses over 127.0.0.2 .. (0: let the kernel pick)
  unsigned connect_lanes = 64;  // connections being opened at once
  double connect_timeout_s = 10;  // per connection: TCP connect + WebSocket handshake + join
  double setup_timeout_s = 120;   // all connections opened and joined
};

struct parse_result {
  load_options options;
  std::string error;  // non-empty: bad command line
  bool help = false;
};

parse_result parse_options(int argc, char** argv);
std::string usage();
std::string_view to_string(scenario_kind s) noexcept;
std::string_view to_string(target_kind t) noexcept;

}  // namespace troupe::load
