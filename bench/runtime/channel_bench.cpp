// The same workloads on a bare boost::asio::experimental::concurrent_channel: the baseline the
// runtime's mailbox and ask must beat. One consumer coroutine per channel, one receive per
// message; an ask is a request channel plus a one-shot reply channel per request.
//
// Threads: an io_context run by as many threads as the actor system would have; producers are
// std::threads, as in troupe_bench.
#include "bench/runtime/latency_sample.hpp"
#include "bench/runtime/workload.hpp"

#include <benchmark/benchmark.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdint>
#include <exception>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

namespace troupe::bench {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using value_channel = asio::experimental::concurrent_channel<void(error_code, std::uint64_t)>;

struct request {
  std::uint64_t seq = 0;
  std::shared_ptr<value_channel> reply;
};
using request_channel = asio::experimental::concurrent_channel<void(error_code, request)>;

// An io_context and its threads (one per core, like actor_system's default).
class io_threads {
 public:
  io_threads() : work_(asio::make_work_guard(io_)) {
    const unsigned n = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < n; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  io_threads(const io_threads&) = delete;
  io_threads& operator=(const io_threads&) = delete;
  // Lets the threads finish the outstanding work, then joins them.
  void join() {
    work_.reset();
    threads_.clear();
  }
  // After a watchdog failure, work may never finish: stop instead of waiting for it.
  void stop() {
    io_.stop();
    threads_.clear();
  }
  ~io_threads() { stop(); }
  asio::io_context& io() noexcept { return io_; }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::vector<std::jthread> threads_;  // last: joined before the io_context goes
};

// co_spawn's completion for coroutines whose failure the benchmark sees as a missed round.
void log_failure(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    std::cerr << "channel benchmark coroutine failed: " << ex.what() << '\n';
  }
}

asio::awaitable<void> drain(value_channel& ch, finish_line& line) {
  for (;;) {
    auto [ec, v] = co_await ch.async_receive(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    line.arrive();
  }
}

asio::awaitable<void> serve(request_channel& ch) {
  for (;;) {
    auto [ec, req] = co_await ch.async_receive(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    req.reply->try_send(error_code{}, req.seq);  // capacity 1, sent once: never full
  }
}

asio::awaitable<double> ask_round(request_channel& ch, std::uint64_t asks, latency_sample& sample) {
  auto ex = co_await asio::this_coro::executor;
  sample.reserve(asks);
  const auto start = bench_clock::now();
  for (std::uint64_t i = 0; i < asks; ++i) {
    const auto t0 = bench_clock::now();
    auto reply = std::make_shared<value_channel>(ex, 1);
    // A named request, not a temporary inside co_await: GCC 12 destroys such a temporary twice
    // (one shared_ptr release too many, so the reply channel is freed while in use).
    request req{i, reply};
    co_await ch.async_send(error_code{}, std::move(req), asio::use_awaitable);
    auto [ec, v] = co_await reply->async_receive(asio::as_tuple(asio::use_awaitable));
    sample.add(bench_clock::now() - t0);
    if (ec || v != i) throw std::runtime_error("channel ask: wrong or failed reply");
  }
  co_return seconds_between(start, bench_clock::now());
}

void channel_tell(benchmark::State& state) {
  finish_line line;
  io_threads pool;
  value_channel ch(pool.io(), sizes().mailbox_capacity);
  asio::co_spawn(pool.io(), drain(ch, line), log_failure);
  const bool ok =
      run_tell_rounds(state, line, [&ch](std::uint64_t v) { return ch.try_send(error_code{}, v); });
  ch.close();
  if (ok)
    pool.join();
  else
    pool.stop();
}
BENCHMARK(channel_tell)
    ->Name("channel/tell")
    ->ArgName("producers")
    ->Arg(1)
    ->Arg(8)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void channel_ask(benchmark::State& state) {
  latency_sample sample;
  io_threads pool;
  request_channel ch(pool.io(), sizes().mailbox_capacity);
  asio::co_spawn(pool.io(), serve(ch), log_failure);
  bool failed = false;
  for (auto _ : state) {
    auto f = asio::co_spawn(pool.io(), ask_round(ch, sizes().asks, sample), asio::use_future);
    try {
      state.SetIterationTime(get_within_watchdog(f));
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      failed = true;
      break;
    }
  }
  ch.close();
  if (failed)
    pool.stop();
  else
    pool.join();
  sample.report(state, "asks/s");
}
BENCHMARK(channel_ask)
    ->Name("channel/ask/coroutine")
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace troupe::bench
