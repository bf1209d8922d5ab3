#pragma once
// uring_sender: sends the same small buffer to many sockets with a single io_uring_enter,
// waiting for every result. Only what the send-path probe needs; one thread.
#include "server/uring.hpp"

#include <span>
#include <string>

namespace troupe::probe {

class uring_sender {
 public:
  explicit uring_sender(unsigned entries) : ring_(entries) {}  // throws if io_uring is refused

  // One IORING_OP_SEND per socket (at most `entries`), submitted at once; empty if every send
  // took all of `bytes`, else what went wrong.
  std::string send_all(std::span<const int> sockets, std::span<const char> bytes);

 private:
  uring ring_;
};

}  // namespace troupe::probe
