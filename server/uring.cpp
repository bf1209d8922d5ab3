#include "server/uring.hpp"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace troupe {
namespace {

template <class T>
T* at(void* base, unsigned offset) {
  return reinterpret_cast<T*>(static_cast<char*>(base) + offset);
}

[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

uring::uring(unsigned entries) {
  io_uring_params p{};
  fd_ = static_cast<int>(::syscall(__NR_io_uring_setup, entries, &p));
  if (fd_ < 0) fail("io_uring_setup");
  if ((p.features & IORING_FEAT_SINGLE_MMAP) == 0) {
    ::close(fd_);
    errno = ENOTSUP;
    fail("io_uring without IORING_FEAT_SINGLE_MMAP");
  }
  sq_entries_ = p.sq_entries;
  rings_size_ = std::max<std::size_t>(p.sq_off.array + p.sq_entries * sizeof(unsigned),
                                      p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe));
  rings_ = ::mmap(nullptr, rings_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_,
                  IORING_OFF_SQ_RING);
  sqes_size_ = p.sq_entries * sizeof(io_uring_sqe);
  void* sqes = ::mmap(nullptr, sqes_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_,
                      IORING_OFF_SQES);
  if (rings_ == MAP_FAILED || sqes == MAP_FAILED) {
    const int e = errno;
    if (rings_ != MAP_FAILED) ::munmap(rings_, rings_size_);
    if (sqes != MAP_FAILED) ::munmap(sqes, sqes_size_);
    ::close(fd_);
    errno = e;
    fail("mmap of the io_uring");
  }
  sqes_ = static_cast<io_uring_sqe*>(sqes);
  sq_head_ = at<unsigned>(rings_, p.sq_off.head);
  sq_tail_ = at<unsigned>(rings_, p.sq_off.tail);
  sq_mask_ = *at<unsigned>(rings_, p.sq_off.ring_mask);
  sq_array_ = at<unsigned>(rings_, p.sq_off.array);
  cq_head_ = at<unsigned>(rings_, p.cq_off.head);
  cq_tail_ = at<unsigned>(rings_, p.cq_off.tail);
  cq_mask_ = *at<unsigned>(rings_, p.cq_off.ring_mask);
  cqes_ = at<io_uring_cqe>(rings_, p.cq_off.cqes);
}

uring::~uring() {
  ::munmap(sqes_, sqes_size_);
  ::munmap(rings_, rings_size_);
  ::close(fd_);
}

io_uring_sqe& uring::next_sqe() noexcept {
  const unsigned slot = (*sq_tail_ + filled_++) & sq_mask_;  // only this thread writes the tail
  io_uring_sqe& e = sqes_[slot];
  std::memset(&e, 0, sizeof e);
  sq_array_[slot] = slot;
  return e;
}

int uring::submit_and_wait(unsigned wait_for) noexcept {
  const unsigned tail = *sq_tail_ + filled_;
  filled_ = 0;
  __atomic_store_n(sq_tail_, tail, __ATOMIC_RELEASE);
  for (;;) {
    const unsigned left = tail - __atomic_load_n(sq_head_, __ATOMIC_ACQUIRE);
    if (left == 0) return 0;
    // The kernel waits only when it took everything: a short submission returns at once, and
    // the next call submits the rest. (A wait cut short by a signal returns early too; the
    // caller's sends complete during the submission itself, so their results are there.)
    const long n =
        ::syscall(__NR_io_uring_enter, fd_, left, wait_for, IORING_ENTER_GETEVENTS, nullptr, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // Refused (short of memory, or a broken ring). Without SQPOLL the kernel reads entries
      // only inside io_uring_enter, so taking back the ones it did not read is safe, and they
      // are never sent later, when what they point to is gone.
      const int e = n < 0 ? errno : EAGAIN;
      __atomic_store_n(sq_tail_, __atomic_load_n(sq_head_, __ATOMIC_ACQUIRE), __ATOMIC_RELEASE);
      return -e;
    }
  }
}

bool uring::supports(unsigned opcode) const noexcept {
  constexpr unsigned ops = 256;
  // The probe ends in a flexible array of `ops` entries.
  alignas(io_uring_probe) unsigned char
      storage[sizeof(io_uring_probe) + ops * sizeof(io_uring_probe_op)] = {};
  auto* probe = reinterpret_cast<io_uring_probe*>(storage);
  if (::syscall(__NR_io_uring_register, fd_, IORING_REGISTER_PROBE, probe, ops) < 0) return false;
  return opcode <= probe->last_op && (probe->ops[opcode].flags & IO_URING_OP_SUPPORTED) != 0;
}

}  // namespace troupe
