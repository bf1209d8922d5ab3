// echo and counter: N connections, each keeping `inflight` requests outstanding (closed loop).
// A request's latency runs from just before its write to the read of the reply with its id
// from the socket. An echo reply must carry the payload sent, byte for byte.
#include "bench/load/fleet.hpp"
#include "bench/load/scenarios.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace troupe::load {
namespace asio = boost::asio;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// One connection's request loop, on its io thread.
asio::awaitable<void> drive_requests(std::shared_ptr<connection> c, std::size_t index,
                                     const load_options& o, const run_plan& plan,
                                     thread_stats& stats) {
  const bool counter = o.scenario == scenario_kind::counter;
  const std::string payload(counter ? 0 : o.size, 'x');
  const std::string counter_name = o.per_conn ? numbered("c", index) : "hits";
  const std::string_view reply_type =
      counter ? counter_reply_type(o.target) : echo_reply_type(o.target);

  struct request {
    std::uint64_t id;
    clock::time_point sent;
  };
  std::vector<request> in_flight;
  in_flight.reserve(o.inflight);
  std::uint64_t next_id = 1;
  std::string frame;
  auto on_reply = [&](std::string_view reply) {
    const frame_fields f = scan_frame(reply);
    const auto it = std::find_if(in_flight.begin(), in_flight.end(),
                                 [&](const request& r) { return f.id == r.id; });
    if (it == in_flight.end()) {
      stats.protocol_error("frame answering no request", reply);
      return next_step::keep_reading;
    }
    if (f.type != reply_type) {
      stats.protocol_error(f.type == "error" ? "error reply" : "reply of the wrong type", reply);
    } else if (!counter && f.payload != payload) {
      stats.protocol_error("echo reply with another payload", reply);
    } else if (plan.late(c->received_at)) {
      ++stats.unanswered;  // after the drain period: as good as never
    } else {
      stats.count_received();
      if (plan.measured(it->sent)) {
        stats.latency.record(c->received_at - it->sent);
        ++stats.completed;
      }
    }
    *it = in_flight.back();
    in_flight.pop_back();
    return next_step::stop;  // room for the next request; later replies stay pending
  };

  asio::steady_timer start(c->socket.get_executor());
  start.expires_at(plan.start);
  co_await start.async_wait(use_tuple);

  for (;;) {
    while (in_flight.size() < o.inflight && clock::now() < plan.measure_until) {
      const std::uint64_t id = next_id++;
      frame = counter ? counter_inc_request(id, counter_name) : echo_request(id, payload);
      in_flight.push_back({id, clock::now()});
      ++stats.sent;
      if (const auto ec = co_await send_text(*c, frame)) {
        if (!c->closing) stats.connection_failed("write", ec);
        stats.unanswered += in_flight.size();
        co_return;
      }
    }
    if (in_flight.empty()) co_return;

    const auto ec = co_await read_messages(*c, on_reply);
    if (ec) {
      if (!c->closing) stats.connection_failed("read", ec);
      stats.unanswered += in_flight.size();
      co_return;
    }
  }
}

}  // namespace

report run_request_reply(const load_options& o) {
  report r = start_report(o, "round trips", o.conns);
  std::vector<thread_stats> stats(o.threads);
  io_pool pool(o.threads);
  fleet conns(pool, stats, dial_plan_for(o), o.conns);

  const auto t0 = clock::now();
  if (!conns.open_all(o.connect_lanes, {}, {}, t0 + seconds_ns(o.setup_timeout_s))) {
    r.problems.push_back("could not open all " + std::to_string(o.conns) + " connections");
    conclude(r, pool, stats);
    return r;
  }
  r.setup_s = std::chrono::duration<double>(clock::now() - t0).count();

  const run_plan plan = run_plan::starting_now(o);
  r.window_s = plan.window_seconds();
  auto drivers = std::make_shared<countdown>(o.conns);
  for (std::size_t i = 0; i < o.conns; ++i) {
    const auto& c = conns.at(i);
    conns.spawn(i, drive_requests(c, i, o, plan, stats[c->thread]), drivers);
  }
  r.cpu = watch_window(plan, o.server_pid);
  (void)drivers->wait_until(plan.drain_until);
  // Whatever is still waiting for a reply now is unanswered: closing ends its read.
  const auto deadline = clock::now() + close_timeout + std::chrono::seconds(1);
  r.overstayed = !(conns.close_all(close_timeout, deadline) && drivers->wait_until(deadline));
  conclude(r, pool, stats);
  return r;
}

}  // namespace troupe::load
