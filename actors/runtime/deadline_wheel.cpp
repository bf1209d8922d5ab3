#include "actors/runtime/deadline_wheel.hpp"

namespace troupe {

deadline_wheel::deadline_wheel(std::chrono::milliseconds tick, std::size_t buckets)
    : tick_(tick), epoch_(clock::now()), buckets_(buckets, nullptr) {}

deadline_wheel::~deadline_wheel() {
  stop();
}

void deadline_wheel::start() {
  std::lock_guard lock(mu_);
  if (!stopped_ && !thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void deadline_wheel::stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void deadline_wheel::run() {
  std::unique_lock lock(mu_);
  auto next = clock::now() + tick_;
  while (!stop_cv_.wait_until(lock, next, [this] { return stopped_; })) {
    on_tick();
    next += tick_;
    if (const auto now = clock::now(); next <= now) next = now + tick_;  // fell behind: skip
  }
}

std::int64_t deadline_wheel::tick_of(clock::time_point t) const {
  auto since = std::chrono::duration_cast<std::chrono::nanoseconds>(t - epoch_).count();
  auto width = std::chrono::duration_cast<std::chrono::nanoseconds>(tick_).count();
  return (since + width - 1) / width;  // round up: never expire early
}

bool deadline_wheel::add(pending_deadline& p, clock::time_point deadline) {
  auto tick = tick_of(deadline);
  std::lock_guard lock(mu_);
  if (tick <= done_tick_ || stopped_) return false;
  auto& head = buckets_[static_cast<std::size_t>(tick) % buckets_.size()];
  p.tick_ = tick;
  p.prev_ = nullptr;
  p.next_ = head;
  if (head) head->prev_ = &p;
  head = &p;
  p.linked_ = true;
  ++pending_;
  return true;
}

void deadline_wheel::unlink(pending_deadline& p) {
  if (!p.linked_) return;
  auto& head = buckets_[static_cast<std::size_t>(p.tick_) % buckets_.size()];
  if (p.prev_) p.prev_->next_ = p.next_;
  else head = p.next_;
  if (p.next_) p.next_->prev_ = p.prev_;
  p.prev_ = p.next_ = nullptr;
  p.linked_ = false;
  --pending_;
}

void deadline_wheel::remove(pending_deadline& p) {
  std::lock_guard lock(mu_);
  unlink(p);
}

std::size_t deadline_wheel::pending() const {
  std::lock_guard lock(mu_);
  return pending_;
}

void deadline_wheel::on_tick() {
  auto now_tick = tick_of(clock::now()) - 1;  // the bucket whose whole span has passed
  // Expiring under the lock keeps each entry alive: its owner must remove() it, which waits.
  auto last = std::min(now_tick, done_tick_ + static_cast<std::int64_t>(buckets_.size()));
  for (auto t = done_tick_ + 1; t <= last; ++t) {
    auto* p = buckets_[static_cast<std::size_t>(t) % buckets_.size()];
    while (p) {
      auto* next = p->next_;
      if (p->tick_ <= now_tick) {
        unlink(*p);
        p->expire();
      }
      p = next;
    }
  }
  if (now_tick > done_tick_) done_tick_ = now_tick;
}

}  // namespace troupe
