#include "bench/send_path/uring_sender.hpp"

#include <sys/socket.h>

#include <cstdint>
#include <cstring>

namespace troupe::probe {

std::string uring_sender::send_all(std::span<const int> sockets, std::span<const char> bytes) {
  for (const int socket : sockets) {
    io_uring_sqe& e = ring_.next_sqe();
    e.opcode = IORING_OP_SEND;
    e.fd = socket;
    e.addr = reinterpret_cast<std::uintptr_t>(bytes.data());
    e.len = static_cast<unsigned>(bytes.size());
    e.msg_flags = MSG_DONTWAIT;  // a full socket answers EAGAIN instead of waiting in the ring
  }
  const int r = ring_.submit_and_wait(static_cast<unsigned>(sockets.size()));
  if (r < 0) return std::string("io_uring_enter: ") + std::strerror(-r);
  std::string problem;
  std::size_t seen = 0;
  ring_.reap([&](const io_uring_cqe& c) {
    ++seen;
    if (c.res != static_cast<int>(bytes.size()) && problem.empty())
      problem = c.res < 0 ? std::string("send: ") + std::strerror(-c.res) : "short send";
  });
  if (problem.empty() && seen != sockets.size())
    problem = std::to_string(seen) + " completions of " + std::to_string(sockets.size());
  return problem;
}

}  // namespace troupe::probe
