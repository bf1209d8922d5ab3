#pragma once
// uring_sender: one io_uring (raw system calls: liburing is not among our packages) that sends
// the same small buffer to many sockets with a single io_uring_enter, waiting for every result.
// Only what the send-path probe needs; one thread.
#include <linux/io_uring.h>

#include <cstddef>
#include <span>
#include <string>

namespace troupe::probe {

class uring_sender {
 public:
  explicit uring_sender(unsigned entries);  // throws std::system_error if io_uring is unavailable
  ~uring_sender();
  uring_sender(const uring_sender&) = delete;
  uring_sender& operator=(const uring_sender&) = delete;

  // One IORING_OP_SEND per socket (at most `entries`), submitted at once; empty if every send
  // took all of `bytes`, else what went wrong.
  std::string send_all(std::span<const int> sockets, std::span<const char> bytes);

 private:
  int fd_ = -1;
  void* rings_ = nullptr;  // the SQ and CQ rings, one mapping (IORING_FEAT_SINGLE_MMAP)
  std::size_t rings_size_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  std::size_t sqes_size_ = 0;
  unsigned* sq_tail_ = nullptr;
  unsigned sq_mask_ = 0;
  unsigned* sq_array_ = nullptr;
  unsigned* cq_head_ = nullptr;
  unsigned* cq_tail_ = nullptr;
  unsigned cq_mask_ = 0;
  io_uring_cqe* cqes_ = nullptr;
};

}  // namespace troupe::probe
