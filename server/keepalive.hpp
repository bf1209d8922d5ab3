#pragma once
// keepalive: when a silent WebSocket peer is pinged and when it is dropped. Rather than a timer
// per connection re-armed on every read (Beast's keep-alive), the server keeps one coarse clock:
// a connection stamps the clock's tick whenever it hears from its peer (a relaxed atomic store),
// and idle_sweep judges every connection by the ticks since its stamp.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace troupe {

enum class keepalive_verdict { fine, ping, close };

struct keepalive_schedule {
  std::chrono::milliseconds tick{1};
  std::uint32_t ping_after = 0;   // ticks of silence before a ping
  std::uint32_t close_after = 0;  // ticks of silence before the connection is dropped

  // A ping after half of `idle_timeout` of silence, a drop after all of it; each at most one
  // tick (an eighth of the timeout) late.
  static keepalive_schedule for_timeout(std::chrono::milliseconds idle_timeout) {
    keepalive_schedule s;
    s.tick = std::max(idle_timeout / 8, std::chrono::milliseconds(1));
    s.ping_after = ticks(idle_timeout / 2, s.tick);
    s.close_after = std::max(ticks(idle_timeout, s.tick), s.ping_after + 1);
    return s;
  }

  // `silent` counts tick boundaries since the peer was last heard: a stamp taken anywhere in a
  // tick is up to one tick old at the first boundary, so n + 1 boundaries mean >= n whole ticks.
  keepalive_verdict judge(std::uint32_t silent) const {
    if (silent > close_after) return keepalive_verdict::close;
    if (silent > ping_after) return keepalive_verdict::ping;
    return keepalive_verdict::fine;
  }

 private:
  static std::uint32_t ticks(std::chrono::milliseconds d, std::chrono::milliseconds tick) {
    return static_cast<std::uint32_t>((d.count() + tick.count() - 1) / tick.count());
  }
};

// The coarse clock: idle_sweep advances it once per tick; connections read it to stamp. Tick
// arithmetic wraps (unsigned), which is fine for silences far shorter than 2^31 ticks.
class keepalive_clock {
 public:
  std::uint32_t now() const noexcept { return tick_.load(std::memory_order_relaxed); }
  std::uint32_t advance() noexcept { return tick_.fetch_add(1, std::memory_order_relaxed) + 1; }

 private:
  std::atomic<std::uint32_t> tick_{0};
};

// When a connection last heard from its peer, in keepalive_clock ticks.
using heard_stamp = std::atomic<std::uint32_t>;

}  // namespace troupe
