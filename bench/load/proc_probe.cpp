#include "bench/load/proc_probe.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace troupe::load {
namespace {

double seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6;
}

std::optional<double> server_cpu_seconds(int pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // The command name (field 2) may hold spaces; fields after its ')' are plain. utime and stime
  // are fields 14 and 15, i.e. the 12th and 13th after the ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 1; i <= 13 && rest >> field; ++i) {
    if (i == 12) utime = std::stoull(field);
    if (i == 13) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

proc_sample take_sample(int server_pid) {
  proc_sample s;
  s.at = clock::now();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  s.self_cpu_s = seconds(ru.ru_utime) + seconds(ru.ru_stime);
  s.server_cpu_s = server_cpu_seconds(server_pid);
  return s;
}

cpu_use cpu_between(const proc_sample& from, const proc_sample& to) {
  cpu_use u;
  const double wall = std::chrono::duration<double>(to.at - from.at).count();
  if (wall <= 0) return u;
  u.client_pct = 100.0 * (to.self_cpu_s - from.self_cpu_s) / wall;
  if (from.server_cpu_s && to.server_cpu_s) {
    u.server_pct = 100.0 * (*to.server_cpu_s - *from.server_cpu_s) / wall;
  }
  return u;
}

std::optional<std::uint64_t> rss_kib(int pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));  // "VmRSS:  1234 kB"
  }
  return std::nullopt;
}

unsigned usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return std::thread::hardware_concurrency();
  return static_cast<unsigned>(CPU_COUNT(&set));
}

cpu_use watch_window(const run_plan& plan, int server_pid) {
  std::this_thread::sleep_until(plan.measure_from);
  const proc_sample from = take_sample(server_pid);
  std::this_thread::sleep_until(plan.measure_until);
  return cpu_between(from, take_sample(server_pid));
}

}  // namespace troupe::load
