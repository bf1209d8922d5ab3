#pragma once
// pool_ref<W>: one reference to n identical stateless workers. tell and ask go to one worker,
// chosen round robin, by the shortest mailbox, or nearest first. Thread-safe, cheap to copy.
#include "actors/runtime/actor_ref.hpp"

#include <atomic>
#include <memory>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace troupe {

// nearest: a worker on the caller's own io thread when one is idle (no hop to another thread,
// nothing to wait behind), else the least loaded. Later, the node's own workers before others'.
enum class pool_strategy { round_robin, least_loaded, nearest };

// The io_context of the actor system's io thread calling, or null on any other thread.
const boost::asio::io_context* this_thread_io_context() noexcept;

template <class W>
class pool_ref {
 public:
  pool_ref() = default;
  pool_ref(std::vector<actor_ref<W>> workers, pool_strategy strategy)
      : state_(std::make_shared<state>(std::move(workers), strategy)) {}

  std::size_t size() const noexcept { return state_->workers.size(); }
  const std::vector<actor_ref<W>>& workers() const noexcept { return state_->workers; }

  // The worker the next message goes to.
  const actor_ref<W>& pick() const {
    auto& s = *state_;
    const auto n = s.workers.size();
    const auto turn = s.next.fetch_add(1, std::memory_order_relaxed);
    auto start = turn % n;
    if (s.strategy == pool_strategy::round_robin) return s.workers[start];
    if (s.strategy == pool_strategy::nearest)
      if (const auto* w = idle_worker_here(turn)) return *w;
    auto best = start;
    for (std::size_t k = 1; k < n && s.workers[best].mailbox_depth() > 0; ++k) {
      auto i = (start + k) % n;
      if (s.workers[i].mailbox_depth() < s.workers[best].mailbox_depth()) best = i;
    }
    return s.workers[best];
  }

  template <class M>
  boost::system::error_code tell(M&& m) const {
    return pick().tell(std::forward<M>(m));
  }
  template <class M>
  auto ask(M m, std::optional<std::chrono::milliseconds> timeout = {}) const {
    return pick().ask(std::move(m), timeout);
  }
  template <class M>
  auto ask_blocking(M m, std::optional<std::chrono::milliseconds> timeout = {}) const {
    return pick().ask_blocking(std::move(m), timeout);
  }
  void stop() const {
    for (auto& w : state_->workers) w.stop();
  }

 private:
  // Among the workers on the caller's io thread, the first idle one from `turn` on.
  const actor_ref<W>* idle_worker_here(std::size_t turn) const {
    const auto* here = this_thread_io_context();
    if (!here) return nullptr;
    for (const auto& [io, indices] : state_->by_thread) {
      if (io != here) continue;
      for (std::size_t k = 0; k < indices.size(); ++k) {
        const auto& w = state_->workers[indices[(turn + k) % indices.size()]];
        if (w.mailbox_depth() == 0) return &w;
      }
      return nullptr;
    }
    return nullptr;
  }

  struct state {
    state(std::vector<actor_ref<W>> w, pool_strategy s) : workers(std::move(w)), strategy(s) {
      for (std::size_t i = 0; i < workers.size(); ++i) {
        const auto* io = &workers[i].core()->io();
        auto it = by_thread.begin();
        while (it != by_thread.end() && it->first != io) ++it;
        if (it == by_thread.end())
          it = by_thread.emplace(by_thread.end(), io, std::vector<std::size_t>{});
        it->second.push_back(i);
      }
    }
    std::vector<actor_ref<W>> workers;
    pool_strategy strategy;
    std::atomic<std::size_t> next{0};
    // The workers' indices by the io_context they run on (as few entries as io threads).
    std::vector<std::pair<const boost::asio::io_context*, std::vector<std::size_t>>> by_thread;
  };
  std::shared_ptr<state> state_;
};

}  // namespace troupe
