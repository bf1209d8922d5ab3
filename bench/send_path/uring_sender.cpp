#include "bench/send_path/uring_sender.hpp"

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <system_error>

namespace troupe::probe {
namespace {

template <class T>
T* at(void* base, unsigned offset) {
  return reinterpret_cast<T*>(static_cast<char*>(base) + offset);
}

[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

uring_sender::uring_sender(unsigned entries) {
  io_uring_params p{};
  fd_ = static_cast<int>(::syscall(__NR_io_uring_setup, entries, &p));
  if (fd_ < 0) fail("io_uring_setup");
  if ((p.features & IORING_FEAT_SINGLE_MMAP) == 0) {
    ::close(fd_);
    errno = ENOTSUP;
    fail("io_uring without IORING_FEAT_SINGLE_MMAP");
  }
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
  sq_tail_ = at<unsigned>(rings_, p.sq_off.tail);
  sq_mask_ = *at<unsigned>(rings_, p.sq_off.ring_mask);
  sq_array_ = at<unsigned>(rings_, p.sq_off.array);
  cq_head_ = at<unsigned>(rings_, p.cq_off.head);
  cq_tail_ = at<unsigned>(rings_, p.cq_off.tail);
  cq_mask_ = *at<unsigned>(rings_, p.cq_off.ring_mask);
  cqes_ = at<io_uring_cqe>(rings_, p.cq_off.cqes);
}

uring_sender::~uring_sender() {
  ::munmap(sqes_, sqes_size_);
  ::munmap(rings_, rings_size_);
  ::close(fd_);
}

std::string uring_sender::send_all(std::span<const int> sockets, std::span<const char> bytes) {
  unsigned tail = *sq_tail_;  // only this thread writes it
  for (const int socket : sockets) {
    const unsigned slot = tail++ & sq_mask_;
    io_uring_sqe& e = sqes_[slot];
    std::memset(&e, 0, sizeof e);
    e.opcode = IORING_OP_SEND;
    e.fd = socket;
    e.addr = reinterpret_cast<std::uintptr_t>(bytes.data());
    e.len = static_cast<unsigned>(bytes.size());
    e.msg_flags = MSG_DONTWAIT;  // a full socket answers EAGAIN instead of waiting in the ring
    sq_array_[slot] = slot;
  }
  __atomic_store_n(sq_tail_, tail, __ATOMIC_RELEASE);
  const auto n = static_cast<unsigned>(sockets.size());
  const long submitted =
      ::syscall(__NR_io_uring_enter, fd_, n, n, IORING_ENTER_GETEVENTS, nullptr, 0);
  if (submitted < 0) return std::string("io_uring_enter: ") + std::strerror(errno);
  // Fewer submitted (the kernel short of memory, or a request it refused) leaves the rest in the
  // ring for the next round: a failed probe, not a figure.
  if (static_cast<unsigned long>(submitted) != n)
    return "io_uring_enter submitted " + std::to_string(submitted) + " of " + std::to_string(n);
  std::string problem;
  unsigned head = *cq_head_;
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (unsigned seen = 0; seen < n;) {
    if (std::chrono::steady_clock::now() > limit) return "completions missing after 10 s";
    const unsigned ready = __atomic_load_n(cq_tail_, __ATOMIC_ACQUIRE);
    for (; head != ready; ++head, ++seen) {
      const int res = cqes_[head & cq_mask_].res;
      if (res != static_cast<int>(bytes.size()) && problem.empty())
        problem = res < 0 ? std::string("send: ") + std::strerror(-res) : "short send";
    }
    __atomic_store_n(cq_head_, head, __ATOMIC_RELEASE);
  }
  return problem;
}

}  // namespace troupe::probe
