// churn: `conns` workers, each repeating a full connection life: connect, handshake (and
// troupe's welcome), join a room, leave it (troupe), close. A cycle's latency runs from its
// start (in rate mode, its scheduled start) to the end of the closing handshake. Each cycle
// dials from the next 127.0.0.x source address, spreading TIME_WAIT over many of them.
#include "bench/load/fleet.hpp"
#include "bench/load/scenarios.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace troupe::load {
namespace asio = boost::asio;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<boost::system::error_code> one_cycle(connection& c, const load_options& o,
                                                     const dial_plan& dial, std::uint64_t n,
                                                     const std::string& room) {
  const auto timeout = dial.timeout;
  auto ec = co_await open_connection(c, dial, n);
  if (!ec) ec = co_await join_room(c, o.target, 1, room, numbered("w", n), timeout);
  if (!ec && o.target == target_kind::troupe) ec = co_await leave_room(c, 2, room, timeout);
  if (!ec) ec = co_await close_connection(c, timeout);
  co_return ec;
}

asio::awaitable<void> churn_worker(std::size_t worker, std::size_t thread, asio::io_context& ctx,
                                   const load_options& o, const dial_plan& dial,
                                   const run_plan& plan, thread_stats& stats) {
  const std::string room = numbered("churn", worker % o.rooms);
  const auto interval = o.rate > 0 ? seconds_ns(o.conns / o.rate) : std::chrono::nanoseconds{};
  const auto offset = interval * static_cast<std::int64_t>(worker) / o.conns;
  asio::steady_timer timer(ctx);
  for (std::uint64_t cycle = 0;; ++cycle) {
    auto intended = plan.start + offset + interval * static_cast<std::int64_t>(cycle);
    if (o.rate <= 0) intended = std::max(intended, clock::now());
    if (intended >= plan.measure_until) co_return;
    if (clock::now() < intended) {
      timer.expires_at(intended);
      co_await timer.async_wait(use_tuple);
    }
    connection c(ctx, thread);
    ++stats.sent;
    const auto ec = co_await one_cycle(c, o, dial, worker + cycle * o.conns, room);
    if (ec) {
      // Stop this worker: a server that fails cycles fails the run.
      stats.connection_failed("churn cycle " + std::to_string(cycle), ec);
      co_return;
    }
    stats.count_received();
    const auto done = clock::now();
    if (plan.measured(intended)) {
      stats.latency.record(done - intended);
      ++stats.completed;
    }
    if (plan.in_window(done)) ++stats.in_window;
  }
}

}  // namespace

report run_churn(const load_options& o) {
  report r = start_report(o, "cycles", o.conns);
  std::vector<thread_stats> stats(o.threads);
  io_pool pool(o.threads);
  const dial_plan dial = dial_plan_for(o);

  const run_plan plan = run_plan::starting_now(o);
  r.window_s = plan.window_seconds();
  auto workers = std::make_shared<countdown>(o.conns);
  for (std::size_t w = 0; w < o.conns; ++w) {
    const std::size_t thread = w % pool.size();
    auto& ctx = pool.context(thread);
    spawn_tracked(ctx, churn_worker(w, thread, ctx, o, dial, plan, stats[thread]), stats[thread],
                  workers);
  }
  r.cpu = watch_window(plan, o.server_pid);
  // A cycle under way at the end of the window may still need its four steps' timeouts.
  r.overstayed = !workers->wait_until(plan.measure_until + 4 * dial.timeout + close_timeout);
  conclude(r, pool, stats);
  return r;
}

}  // namespace troupe::load
