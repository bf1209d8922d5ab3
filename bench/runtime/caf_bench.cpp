// The same workloads on CAF 0.17 (Debian's libcaf-dev), built only when CMake finds it: tell
// throughput from producer threads into one event-based actor (anon_send), and actor-to-actor
// request/then ping-pong. CAF's mailboxes are unbounded, so its producers are never refused.
//
// Threads: CAF's work-stealing scheduler, with as many workers as the actor system's io threads.
#include "bench/runtime/latency_sample.hpp"
#include "bench/runtime/workload.hpp"

#include <benchmark/benchmark.h>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>

namespace troupe::bench {
namespace {

caf::actor_system_config& bench_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.max-threads", std::max(1u, std::thread::hardware_concurrency()));
  return cfg;
}

caf::behavior sink(caf::event_based_actor*, finish_line* line) {
  return {[line](std::uint64_t) { line->arrive(); }};
}

caf::behavior echo(caf::event_based_actor*) {
  return {[](std::uint64_t seq) { return seq; }};
}

struct asker_state {
  caf::actor target;
  latency_sample* sample = nullptr;
  finish_line* line = nullptr;
  std::atomic<bool>* wrong = nullptr;
  std::uint64_t seq = 0;
  std::uint64_t left = 0;
  bench_clock::time_point sent;
};

void ask_next(caf::stateful_actor<asker_state>* self) {
  self->state.sent = bench_clock::now();
  self->request(self->state.target, caf::infinite, self->state.seq).then([self](std::uint64_t seq) {
    auto& st = self->state;
    st.sample->add(bench_clock::now() - st.sent);
    if (seq != st.seq) st.wrong->store(true);
    ++st.seq;
    if (--st.left == 0)
      st.line->arrive();
    else
      ask_next(self);
  });
}

// On `asks`: that many sequential requests to `target`, each timed; crosses `line` at the end.
caf::behavior asker(caf::stateful_actor<asker_state>* self, caf::actor target,
                    latency_sample* sample, finish_line* line, std::atomic<bool>* wrong) {
  self->state.target = std::move(target);
  self->state.sample = sample;
  self->state.line = line;
  self->state.wrong = wrong;
  return {[self](std::uint64_t asks) {
    self->state.left = asks;
    ask_next(self);
  }};
}

void caf_tell(benchmark::State& state) {
  finish_line line;
  caf::actor_system_config cfg;
  caf::actor_system system{bench_config(cfg)};
  auto consumer = system.spawn(sink, &line);
  run_tell_rounds(state, line, [&consumer](std::uint64_t v) {
    caf::anon_send(consumer, v);
    return true;  // CAF's mailboxes are unbounded: never refused
  });
  caf::anon_send_exit(consumer, caf::exit_reason::user_shutdown);
}
BENCHMARK(caf_tell)
    ->Name("caf/tell")
    ->ArgName("producers")
    ->Arg(1)
    ->Arg(8)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void caf_ask_between_actors(benchmark::State& state) {
  latency_sample sample;
  finish_line line;
  std::atomic<bool> wrong{false};
  caf::actor_system_config cfg;
  caf::actor_system system{bench_config(cfg)};
  auto target = system.spawn(echo);
  auto pinger = system.spawn(asker, target, &sample, &line, &wrong);
  for (auto _ : state) {
    line.reset(1);
    const auto start = bench_clock::now();
    caf::anon_send(pinger, sizes().asks);
    try {
      state.SetIterationTime(seconds_between(start, line.wait()));
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      break;
    }
    if (wrong.load()) {
      state.SkipWithError("caf ask: wrong reply");
      break;
    }
  }
  caf::anon_send_exit(pinger, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(target, caf::exit_reason::user_shutdown);
  sample.report(state, "asks/s");
}
BENCHMARK(caf_ask_between_actors)
    ->Name("caf/ask/actor")
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace troupe::bench
