#pragma once
// pool_ref<W>: one reference to n identical stateless workers. tell and ask go to one worker,
// chosen round robin or by the shortest mailbox. Thread-safe, cheap to copy.
#include "actors/runtime/actor_ref.hpp"

#include <atomic>
#include <memory>
#include <vector>

namespace troupe {

enum class pool_strategy { round_robin, least_loaded };

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
    auto start = s.next.fetch_add(1, std::memory_order_relaxed) % n;
    if (s.strategy == pool_strategy::round_robin) return s.workers[start];
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
  struct state {
    state(std::vector<actor_ref<W>> w, pool_strategy s) : workers(std::move(w)), strategy(s) {}
    std::vector<actor_ref<W>> workers;
    pool_strategy strategy;
    std::atomic<std::size_t> next{0};
  };
  std::shared_ptr<state> state_;
};

}  // namespace troupe
