#include "server/server_metrics.hpp"

#include "actors/runtime/actor_system.hpp"
#include "actors/store/state_store.hpp"
#include "config/logging.hpp"
#include "server/protocol/errors.hpp"

#include <fmt/format.h>

#include <iterator>
#include <map>

namespace troupe {
namespace {

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

template <class T>
void sample(std::string& out, std::string_view name, const T& value) {
  fmt::format_to(std::back_inserter(out), "{} {}\n", name, value);
}

}  // namespace

std::string render_prometheus(const server_metrics& m, actor_system& system,
                              const state_store& store) {
  std::string out;
  out.reserve(4096);
  auto gauge = [&](std::string_view name, std::string_view help, auto value) {
    family(out, name, "gauge", help);
    sample(out, name, value);
  };
  auto counter = [&](std::string_view name, std::string_view help, auto value) {
    family(out, name, "counter", help);
    sample(out, name, value);
  };
  gauge("troupe_connections", "Open TCP connections (HTTP and WebSocket).",
        m.connections_current.load());
  counter("troupe_connections_total", "TCP connections accepted.", m.connections_total.load());
  gauge("troupe_websockets", "Open WebSocket sessions.", m.websockets_current.load());
  counter("troupe_websockets_total", "WebSocket sessions opened.", m.websockets_total.load());
  counter(
      "troupe_websockets_dropped_idle_total",
      "WebSocket connections dropped after server.idle_timeout_ms without a word from the peer.",
      m.websockets_dropped_idle.load());
  counter("troupe_connections_refused_total",
          "Connections refused with 503 at the connection limit or out of descriptors.",
          m.connections_refused.load());
  counter("troupe_frames_in_total", "WebSocket frames received.", m.frames_in.load());
  counter("troupe_frames_out_total", "WebSocket frames sent.", m.frames_out.load());
  gauge("troupe_send_batching",
        "1 when the io threads' socket writes go out in batched io_uring submissions.",
        m.batched.active.load() ? 1 : 0);
  counter("troupe_send_batches_total", "Batched io_uring submissions of socket writes.",
          m.batched.submissions.load());
  counter("troupe_batched_sends_total", "Socket writes made in batched submissions.",
          m.batched.sends.load());
  counter("troupe_http_requests_total", "HTTP requests served.", m.http_requests.load());
  counter("troupe_log_lines_dropped_total", "Log lines dropped because stderr did not keep up.",
          log_lines_dropped());
  counter("troupe_store_forgotten_total",
          "Rooms and counters the store forgot, least recently used first, to stay within "
          "limits.max_rooms and limits.max_counters.",
          store.forgotten());

  family(out, "troupe_protocol_errors_total", "counter", "Protocol error replies sent, by code.");
  static_assert(static_cast<std::size_t>(protocol::last_error_code) <
                protocol_error_counts{}.size());
  for (int c = static_cast<int>(protocol::error_code::bad_json);
       c <= static_cast<int>(protocol::last_error_code); ++c) {
    fmt::format_to(std::back_inserter(out), "troupe_protocol_errors_total{{code=\"{}\"}} {}\n",
                   protocol::to_string(static_cast<protocol::error_code>(c)),
                   m.protocol_errors[c].load());
  }

  struct kind_totals {
    std::size_t actors = 0;
    std::size_t depth = 0;
    std::uint64_t handled = 0;
    std::uint64_t restarts = 0;
  };
  std::map<std::string, kind_totals> kinds;
  for (const auto& a : system.actors()) {
    auto& k = kinds[a.kind];
    ++k.actors;
    k.depth += a.mailbox_depth;
    k.handled += a.handled;
    k.restarts += a.restarts;
  }
  auto per_kind = [&](std::string_view name, std::string_view type, std::string_view help,
                      auto field) {
    family(out, name, type, help);
    for (const auto& [kind, t] : kinds)
      fmt::format_to(std::back_inserter(out), "{}{{kind=\"{}\"}} {}\n", name, kind, t.*field);
  };
  per_kind("troupe_actors", "gauge", "Live actors, by kind.", &kind_totals::actors);
  per_kind("troupe_mailbox_depth", "gauge", "Messages waiting in mailboxes, by actor kind.",
           &kind_totals::depth);
  per_kind("troupe_messages_handled", "gauge", "Messages handled by live actors, by kind.",
           &kind_totals::handled);
  per_kind("troupe_actor_restarts", "gauge", "Restarts of live actors, by kind.",
           &kind_totals::restarts);

  const auto& h = system.ask_latency();
  family(out, "troupe_ask_latency_seconds", "histogram", "Ask round trips, from send to reply.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < latency_histogram::bucket_count; ++i) {
    cumulative += h.count(i);
    if (i + 1 < latency_histogram::bucket_count)
      fmt::format_to(std::back_inserter(out), "troupe_ask_latency_seconds_bucket{{le=\"{}\"}} {}\n",
                     latency_histogram::upper_bound_seconds(i), cumulative);
  }
  fmt::format_to(std::back_inserter(out), "troupe_ask_latency_seconds_bucket{{le=\"+Inf\"}} {}\n",
                 cumulative);
  fmt::format_to(std::back_inserter(out), "troupe_ask_latency_seconds_sum {}\n",
                 static_cast<double>(h.sum_ns()) / 1e9);
  fmt::format_to(std::back_inserter(out), "troupe_ask_latency_seconds_count {}\n", cumulative);
  return out;
}

}  // namespace troupe
