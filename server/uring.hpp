#pragma once
// uring: a minimal io_uring made with raw system calls (liburing is not among our packages):
// set up and mapped once, then submission entries filled, one io_uring_enter, completions read.
// Used by one thread at a time.
#include <linux/io_uring.h>

#include <cstddef>

namespace troupe {

class uring {
 public:
  // Throws std::system_error when the kernel, or a seccomp profile, refuses io_uring.
  explicit uring(unsigned entries);
  ~uring();
  uring(const uring&) = delete;
  uring& operator=(const uring&) = delete;

  unsigned capacity() const noexcept { return sq_entries_; }  // entries per submission

  // The next submission entry, zeroed. At most capacity() between two submit_and_wait calls.
  io_uring_sqe& next_sqe() noexcept;
  // Hands the entries filled since the last call to the kernel in one io_uring_enter and waits
  // until `wait_for` of their completions are ready; reap() them all before the next call.
  // Returns 0, or -errno when the kernel refused them: then none of them was taken, or (after a
  // partial submission) the ones not taken are dropped, and have no completion.
  int submit_and_wait(unsigned wait_for) noexcept;
  // Whether this kernel's io_uring knows `opcode` (IORING_REGISTER_PROBE; false where the probe
  // itself is unknown, before Linux 5.6).
  bool supports(unsigned opcode) const noexcept;
  // Calls each(const io_uring_cqe&) for every completion ready, oldest first.
  template <class Each>
  void reap(Each&& each) noexcept {
    unsigned head = *cq_head_;
    const unsigned ready = __atomic_load_n(cq_tail_, __ATOMIC_ACQUIRE);
    for (; head != ready; ++head) each(cqes_[head & cq_mask_]);
    __atomic_store_n(cq_head_, head, __ATOMIC_RELEASE);
  }

 private:
  int fd_ = -1;
  unsigned sq_entries_ = 0;
  void* rings_ = nullptr;  // the SQ and CQ rings, one mapping (IORING_FEAT_SINGLE_MMAP)
  std::size_t rings_size_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  std::size_t sqes_size_ = 0;
  unsigned* sq_head_ = nullptr;  // written by the kernel
  unsigned* sq_tail_ = nullptr;
  unsigned sq_mask_ = 0;
  unsigned* sq_array_ = nullptr;
  unsigned* cq_head_ = nullptr;
  unsigned* cq_tail_ = nullptr;
  unsigned cq_mask_ = 0;
  io_uring_cqe* cqes_ = nullptr;
  unsigned filled_ = 0;  // entries filled since the last submission
};

}  // namespace troupe
