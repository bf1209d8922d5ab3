#pragma once
// spin_lock: a lock for critical sections of a few dozen instructions (a mailbox push, a
// batch swap), where std::mutex's sleep and wake-up system calls would cost far more than the
// section itself. It spins briefly, then yields the CPU, so a holder that was preempted gets to
// finish even when there are more threads than cores. Not for sections that may block.
// Thread-safety: it is the synchronisation; BasicLockable (std::lock_guard, std::unique_lock).
#include <atomic>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace troupe {

// One polite iteration of a busy-wait loop (PAUSE on x86).
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}

class spin_lock {
 public:
  void lock() noexcept {
    for (unsigned spins = 0;;) {
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
      while (locked_.load(std::memory_order_relaxed)) {
        if (spins < spin_limit) {
          ++spins;
          cpu_relax();
        } else {
          std::this_thread::yield();
        }
      }
    }
  }

  bool try_lock() noexcept {
    return !locked_.load(std::memory_order_relaxed) &&
           !locked_.exchange(true, std::memory_order_acquire);
  }

  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  static constexpr unsigned spin_limit = 16;

  std::atomic<bool> locked_{false};
};

}  // namespace troupe
