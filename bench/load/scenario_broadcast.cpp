// broadcast: R rooms x M members (connection i is member i / R of room i % R); publishers are
// connections 0..P-1. Each publish reaches every member of the publisher's room, the publisher
// included, and every receipt is one delivery. Closed loop: a publisher keeps `inflight`
// messages outstanding, a message completing when all its room's members have it. Rate mode:
// publishers send on a fixed schedule adding up to `rate` deliveries/s, and latency runs from
// the scheduled (intended) send time, so a stalled server cannot hide its queueing delay.
#include "bench/load/deliveries.hpp"
#include "bench/load/fleet.hpp"
#include "bench/load/scenarios.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <thread>

namespace troupe::load {
namespace asio = boost::asio;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// What one publisher needs; the references point into run_broadcast's frame.
struct publisher_job {
  std::uint32_t number = 0;
  std::string room;
  std::uint32_t room_size = 0;
  const delivery_context* run = nullptr;
  delivery_tracker* tracker = nullptr;  // closed loop
  std::chrono::nanoseconds interval{};  // rate mode
  std::chrono::nanoseconds offset{};    // rate mode: spreads publishers over one interval
};

asio::awaitable<boost::system::error_code> publish(connection& c, const publisher_job& job,
                                                   std::uint64_t seq, clock::time_point sent,
                                                   thread_stats& stats) {
  const std::string frame =
      room_say_request(job.room, format_stamp({job.number, seq, to_ns(sent)}));
  ++stats.sent;
  stats.expected_deliveries += job.room_size;
  const auto ec = co_await send_text(c, frame);
  if (ec && !c.closing) stats.connection_failed("publisher write", ec);
  co_return ec;
}

asio::awaitable<void> publish_closed_loop(std::shared_ptr<connection> c, publisher_job job,
                                          thread_stats& stats) {
  const run_plan& plan = job.run->plan;
  auto& completions = job.tracker->completions(job.number);
  asio::steady_timer start(c->socket.get_executor());
  start.expires_at(plan.start);
  co_await start.async_wait(use_tuple);

  // Message seq counts its deliveries in slot seq % window, so it is sent only once the message
  // before it in that slot is complete: completions can come out of order (members on several
  // threads), and any free slot would not do.
  const unsigned window = job.tracker->window();
  std::vector<bool> slot_free(window, true);
  std::uint64_t seq = 0;
  while (clock::now() < plan.measure_until) {
    if (slot_free[seq % window]) {
      slot_free[seq % window] = false;
      if (co_await publish(*c, job, seq++, clock::now(), stats)) co_return;
      continue;
    }
    auto [ec, done_seq] = co_await completions.async_receive(use_tuple);
    if (ec) co_return;  // the tracker was closed: the run is over
    slot_free[done_seq % window] = true;
  }
}

asio::awaitable<void> publish_at_rate(std::shared_ptr<connection> c, publisher_job job,
                                      thread_stats& stats) {
  const run_plan& plan = job.run->plan;
  asio::steady_timer timer(c->socket.get_executor());
  for (std::uint64_t seq = 0;; ++seq) {
    const auto intended = plan.start + std::chrono::duration_cast<clock::duration>(
                                           job.offset + job.interval * static_cast<double>(seq));
    if (intended >= plan.measure_until) co_return;
    if (clock::now() < intended) {
      timer.expires_at(intended);
      co_await timer.async_wait(use_tuple);
    }
    if (co_await publish(*c, job, seq, intended, stats)) co_return;
  }
}

}  // namespace

report run_broadcast(const load_options& o) {
  const std::size_t members = std::size_t{o.rooms} * o.members;
  report r = start_report(o, "deliveries", members);
  std::vector<thread_stats> stats(o.threads);
  io_pool pool(o.threads);
  delivery_context run;
  run.target = o.target;
  run.publishers = o.publishers;
  delivery_tracker tracker(o.inflight);
  const bool closed_loop = o.rate <= 0;
  if (closed_loop) {
    run.tracker = &tracker;
    for (std::size_t p = 0; p < o.publishers; ++p) {
      tracker.add_publisher(pool.context(p).get_executor(), o.members);  // fleet: i on thread i % n
    }
  }
  fleet conns(pool, stats, dial_plan_for(o), members);

  const auto t0 = clock::now();
  const auto timeout = seconds_ns(o.connect_timeout_s);
  auto join = [&o, timeout](connection& c, std::size_t i) {
    return join_room(c, o.target, 1, numbered("r", i % o.rooms), numbered("m", i), timeout);
  };
  auto read = [&run, &stats](std::shared_ptr<connection> c, std::size_t) {
    thread_stats& s = stats[c->thread];
    return read_deliveries(std::move(c), run, s);
  };
  if (!conns.open_all(o.connect_lanes, join, read, t0 + seconds_ns(o.setup_timeout_s))) {
    r.problems.push_back("could not open and join all " + std::to_string(members) + " connections");
    conclude(r, pool, stats);
    return r;
  }
  r.setup_s = std::chrono::duration<double>(clock::now() - t0).count();

  run.plan = run_plan::starting_now(o);
  run.started.store(true, std::memory_order_release);
  r.window_s = run.plan.window_seconds();
  // Rate mode: each publish is worth `members` deliveries.
  const double publishes_per_s = o.rate / o.members / o.publishers;
  auto publishers = std::make_shared<countdown>(o.publishers);
  for (std::uint32_t p = 0; p < o.publishers; ++p) {
    const auto& c = conns.at(p);
    publisher_job job;
    job.number = p;
    job.room = numbered("r", p % o.rooms);
    job.room_size = o.members;
    job.run = &run;
    if (closed_loop) {
      job.tracker = &tracker;
      conns.spawn(p, publish_closed_loop(c, std::move(job), stats[c->thread]), publishers);
    } else {
      job.interval = seconds_ns(1.0 / publishes_per_s);
      job.offset = job.interval * p / o.publishers;
      conns.spawn(p, publish_at_rate(c, std::move(job), stats[c->thread]), publishers);
    }
  }
  r.cpu = watch_window(run.plan, o.server_pid);

  // Publishers stop at the end of the window; then give the deliveries still on their way until
  // the end of the drain period. (Polling: the readers' counters are per thread.)
  if (publishers->wait_until(run.plan.drain_until)) {
    std::uint64_t expected = 0;
    for (const auto& s : stats) expected += s.expected_deliveries;  // publishers are done
    while (received_so_far(stats) < expected && clock::now() < run.plan.drain_until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  tracker.close();
  const auto deadline = clock::now() + close_timeout + std::chrono::seconds(1);
  r.overstayed = !(conns.close_all(close_timeout, deadline) && publishers->wait_until(deadline));
  conclude(r, pool, stats);
  return r;
}

}  // namespace troupe::load
