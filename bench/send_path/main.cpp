// send_path_probe: what one small write to each of many loopback TCP connections costs the
// sending core, made the way troupe makes it (one send(2) per connection, as Asio's write_some
// does) and batched through io_uring (one io_uring_enter for all of them). A reader thread on
// another core takes every byte, as troupe_load's members do (edge-triggered epoll, one recv per
// ready socket), and the next round starts when all of the last one has arrived.
//
//   send_path_probe [--conns 1000] [--rounds 1000] [--size 64] [--repeats 3]
//                   [--sender-cpu 0] [--reader-cpu 1]
//
// Per block of rounds and mode: the sending thread's CPU per send, the sending core's busy time
// per send (from /proc/stat: it includes network work the kernel defers to ksoftirqd on that
// core, but also anything else that ran there), and the time per round.
#include "bench/send_path/uring_sender.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

namespace troupe::probe {
namespace {

struct options {
  unsigned conns = 1000;
  unsigned rounds = 1000;
  unsigned size = 64;
  unsigned repeats = 3;
  int sender_cpu = 0;
  int reader_cpu = 1;
};

std::optional<options> parse(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const std::string_view v = argv[i + 1];
    unsigned n = 0;
    if (std::from_chars(v.data(), v.data() + v.size(), n).ptr != v.data() + v.size()) return {};
    if (flag == "--conns")
      o.conns = n;
    else if (flag == "--rounds")
      o.rounds = n;
    else if (flag == "--size")
      o.size = n;
    else if (flag == "--repeats")
      o.repeats = n;
    else if (flag == "--sender-cpu")
      o.sender_cpu = static_cast<int>(n);
    else if (flag == "--reader-cpu")
      o.reader_cpu = static_cast<int>(n);
    else
      return {};
  }
  if (argc % 2 == 0 || o.conns == 0 || o.rounds == 0 || o.size == 0 || o.repeats == 0) return {};
  return o;
}

void pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

double thread_cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Jiffies the core spent not idle (user, nice, system, irq, softirq, steal).
long core_busy_jiffies(int cpu) {
  std::ifstream stat("/proc/stat");
  const std::string prefix = "cpu" + std::to_string(cpu) + " ";
  for (std::string line; std::getline(stat, line);) {
    if (!line.starts_with(prefix)) continue;
    std::istringstream fields(line.substr(prefix.size()));
    long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    fields >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
    return user + nice + system + irq + softirq + steal;
  }
  return 0;
}

// N connected loopback pairs: `senders` accepted by the listener (TCP_NODELAY, as troupe sets
// it), `receivers` dialled. Both non-blocking.
struct connection_pairs {
  std::vector<int> senders;
  std::vector<int> receivers;
  ~connection_pairs() {
    for (int fd : senders) ::close(fd);
    for (int fd : receivers) ::close(fd);
  }
};

std::string open_pairs(unsigned n, connection_pairs& pairs) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener, 4096) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(listener);
    return std::string("listener: ") + std::strerror(errno);
  }
  std::string problem;
  for (unsigned i = 0; i < n && problem.empty(); ++i) {
    const int dialled = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (dialled < 0) {
      problem = std::string("socket: ") + std::strerror(errno);
      break;
    }
    pairs.receivers.push_back(dialled);
    if (::connect(dialled, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 &&
        errno != EINPROGRESS) {
      problem = std::string("connect: ") + std::strerror(errno);
      break;
    }
    const int accepted = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK);
    if (accepted < 0) {
      problem = std::string("accept: ") + std::strerror(errno);
      break;
    }
    pairs.senders.push_back(accepted);
    const int one = 1;
    ::setsockopt(accepted, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ::close(listener);
  return problem;
}

// Reads every receiver until stopped, counting bytes.
class reader {
 public:
  reader(const std::vector<int>& sockets, int cpu)
      : thread_([this, &sockets, cpu] {
          pin_to(cpu);
          run(sockets);
        }) {}
  ~reader() {
    stop_.store(true, std::memory_order_relaxed);
    thread_.join();
  }
  std::uint64_t received() const noexcept { return received_.load(std::memory_order_relaxed); }

 private:
  void run(const std::vector<int>& sockets) {
    const int ep = ::epoll_create1(0);
    for (const int fd : sockets) {
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLET;
      ev.data.fd = fd;
      ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
    std::vector<epoll_event> ready(1024);
    std::vector<char> scratch(64 * 1024);
    while (!stop_.load(std::memory_order_relaxed)) {
      const int n = ::epoll_wait(ep, ready.data(), static_cast<int>(ready.size()), 50);
      for (int i = 0; i < n; ++i) {
        // Edge-triggered: read until the socket is empty (a round sends one small write each).
        for (;;) {
          const auto got = ::recv(ready[i].data.fd, scratch.data(), scratch.size(), 0);
          if (got <= 0) break;
          received_.fetch_add(static_cast<std::uint64_t>(got), std::memory_order_relaxed);
          if (static_cast<std::size_t>(got) < scratch.size()) break;
        }
      }
    }
    ::close(ep);
  }

  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> received_{0};
  std::thread thread_;
};

struct block_result {
  double thread_us_per_send = 0;
  double core_us_per_send = 0;
  double ms_per_round = 0;
};

int run(const options& o) {
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &files);

  connection_pairs pairs;
  if (const auto problem = open_pairs(o.conns, pairs); !problem.empty()) {
    std::fprintf(stderr, "send_path_probe: %s\n", problem.c_str());
    return 1;
  }
  pin_to(o.sender_cpu);
  reader in(pairs.receivers, o.reader_cpu);
  const std::vector<char> bytes(o.size, 'x');

  std::optional<uring_sender> uring;
  try {
    uring.emplace(o.conns);
  } catch (const std::system_error& e) {
    std::printf("io_uring unavailable here (%s): measuring send(2) only\n", e.what());
  }

  std::string problem;
  auto send_round = [&](bool batched) {
    if (batched) {
      if (auto p = uring->send_all(pairs.senders, bytes); !p.empty() && problem.empty())
        problem = std::move(p);
      return;
    }
    for (const int fd : pairs.senders) {
      if (::send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT) != static_cast<ssize_t>(o.size) &&
          problem.empty())
        problem = std::string("send: ") + std::strerror(errno);
    }
  };
  std::uint64_t expected = 0;
  auto wait_for_round = [&] {
    expected += std::uint64_t{o.conns} * o.size;
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (in.received() < expected) {
      if (std::chrono::steady_clock::now() > limit) {
        if (problem.empty()) problem = "a round did not arrive within 10 s";
        return;
      }
      timespec pause{0, 50'000};  // sleeping, not spinning: the core's busy time stays the sends'
      ::nanosleep(&pause, nullptr);
    }
  };
  auto block = [&](bool batched) {
    for (unsigned r = 0; r < std::max(1u, o.rounds / 10) && problem.empty(); ++r) {  // warm up
      send_round(batched);
      wait_for_round();
    }
    double sending = 0;
    const long busy0 = core_busy_jiffies(o.sender_cpu);
    const auto t0 = std::chrono::steady_clock::now();
    for (unsigned r = 0; r < o.rounds && problem.empty(); ++r) {
      const double c0 = thread_cpu_s();
      send_round(batched);
      sending += thread_cpu_s() - c0;
      wait_for_round();
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double sends = static_cast<double>(o.conns) * o.rounds;
    const double jiffy_s = 1.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
    return block_result{
        sending / sends * 1e6,
        static_cast<double>(core_busy_jiffies(o.sender_cpu) - busy0) * jiffy_s / sends * 1e6,
        wall / o.rounds * 1e3};
  };

  std::printf(
      "%u connections, %u B per send, %u rounds per block; sender on core %d, reader on "
      "core %d\n",
      o.conns, o.size, o.rounds, o.sender_cpu, o.reader_cpu);
  std::printf("%-8s %18s %18s %14s\n", "mode", "thread us/send", "core us/send", "ms/round");
  std::map<std::string, std::vector<block_result>> results;
  for (unsigned i = 0; i < o.repeats && problem.empty(); ++i) {
    for (const bool batched : {false, true}) {
      if (batched && !uring) continue;
      const auto r = block(batched);
      const char* mode = batched ? "io_uring" : "send";
      results[mode].push_back(r);
      std::printf("%-8s %18.2f %18.2f %14.2f\n", mode, r.thread_us_per_send, r.core_us_per_send,
                  r.ms_per_round);
    }
  }
  if (!problem.empty()) {
    std::fprintf(stderr, "send_path_probe: %s\n", problem.c_str());
    return 1;
  }
  for (auto& [mode, blocks] : results) {
    auto median = [&blocks](double block_result::*field) {
      std::vector<double> v;
      for (const auto& b : blocks) v.push_back(b.*field);
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    std::printf("median %-8s %11.2f %18.2f %14.2f\n", mode.c_str(),
                median(&block_result::thread_us_per_send), median(&block_result::core_us_per_send),
                median(&block_result::ms_per_round));
  }
  return 0;
}

}  // namespace
}  // namespace troupe::probe

int main(int argc, char** argv) {
  const auto o = troupe::probe::parse(argc, argv);
  if (!o) {
    std::fprintf(stderr,
                 "usage: send_path_probe [--conns 1000] [--rounds 1000] [--size 64] "
                 "[--repeats 3] [--sender-cpu 0] [--reader-cpu 1]\n");
    return 2;
  }
  return troupe::probe::run(*o);
}
