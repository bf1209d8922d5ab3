// The workloads on the troupe runtime: tell throughput from producer threads into one actor,
// and ask round trips from a coroutine on the system's io_context and from another actor.
#include "actors/runtime/actor_system.hpp"
#include "bench/runtime/latency_sample.hpp"
#include "bench/runtime/workload.hpp"

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdint>
#include <stdexcept>
#include <variant>

namespace troupe::bench {
namespace {

system_config bench_config() {
  system_config c;  // io threads: one per core
  c.mailbox_capacity = sizes().mailbox_capacity;
  c.ask_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(round_watchdog);
  return c;
}

// Counts what it is told.
struct counting_sink {
  using message = std::variant<std::uint64_t>;
  explicit counting_sink(finish_line* line) : line_(line) {}
  void handle(std::uint64_t) { line_->arrive(); }
  finish_line* line_;
};

struct ping {
  std::uint64_t seq;
};

// Answers every ping with its sequence number.
struct echo {
  using message = std::variant<ping>;
  std::uint64_t handle(ping p) { return p.seq; }
};

// `asks` sequential asks to `target`, each timed; returns the round's duration in seconds.
boost::asio::awaitable<double> ask_round(actor_ref<echo> target, std::uint64_t asks,
                                         latency_sample& sample) {
  sample.reserve(asks);
  const auto start = bench_clock::now();
  for (std::uint64_t i = 0; i < asks; ++i) {
    const auto t0 = bench_clock::now();
    auto r = co_await target.ask(ping{i});
    sample.add(bench_clock::now() - t0);
    if (!r || *r != i) throw std::runtime_error("troupe ask: wrong or failed reply");
  }
  co_return seconds_between(start, bench_clock::now());
}

struct ask_round_msg {
  std::uint64_t asks;
};

// An actor whose handler asks `target` in a loop: actor-to-actor ping-pong, with the deadline
// inheritance and deadlock check every ask from inside a handler pays for.
struct asker {
  using message = std::variant<ask_round_msg>;
  asker(actor_ref<echo> target, latency_sample* sample)
      : target_(std::move(target)), sample_(sample) {}
  boost::asio::awaitable<double> handle(ask_round_msg m) {
    co_return co_await ask_round(target_, m.asks, *sample_);
  }
  actor_ref<echo> target_;
  latency_sample* sample_;
};

void troupe_tell(benchmark::State& state) {
  finish_line line;
  actor_system system(bench_config());
  auto sink = system.spawn<counting_sink>(&line);
  run_tell_rounds(state, line,
                  [&sink](std::uint64_t v) { return sink.tell(v) != actor_errc::mailbox_full; });
}
BENCHMARK(troupe_tell)
    ->Name("troupe/tell")
    ->ArgName("producers")
    ->Arg(1)
    ->Arg(8)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void troupe_ask_from_coroutine(benchmark::State& state) {
  latency_sample sample;
  actor_system system(bench_config());
  auto target = system.spawn<echo>();
  for (auto _ : state) {
    auto f = boost::asio::co_spawn(system.io_context(), ask_round(target, sizes().asks, sample),
                                   boost::asio::use_future);
    try {
      state.SetIterationTime(get_within_watchdog(f));
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      break;
    }
  }
  sample.report(state, "asks/s");
}
BENCHMARK(troupe_ask_from_coroutine)
    ->Name("troupe/ask/coroutine")
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void troupe_ask_between_actors(benchmark::State& state) {
  latency_sample sample;
  actor_system system(bench_config());
  // Both on one io thread: an ask and its reply then resume each other as continuations, with no
  // thread woken (the cost of the actor hop itself, not of a thread's wake-up).
  spawn_options same_thread;
  same_thread.io = &system.io_context(0);
  auto target = system.spawn_with<echo>(same_thread);
  auto pinger = system.spawn_with<asker>(same_thread, target, &sample);
  for (auto _ : state) {
    auto r = pinger.ask_blocking(ask_round_msg{sizes().asks});
    if (!r) {
      state.SkipWithError(r.error().message().c_str());
      break;
    }
    state.SetIterationTime(*r);
  }
  sample.report(state, "asks/s");
}
BENCHMARK(troupe_ask_between_actors)
    ->Name("troupe/ask/actor")
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace troupe::bench
