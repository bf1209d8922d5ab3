// troupe_load: a WebSocket load generator for troupe and its raw-Beast baselines.
// See options.cpp (usage) and docs/benchmarks.md.
#include "bench/load/options.hpp"
#include "bench/load/report.hpp"
#include "bench/load/scenarios.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <exception>
#include <iostream>

namespace {

// Each connection is a file descriptor: take everything the hard limit allows.
void raise_open_file_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) std::perror("troupe_load: setrlimit(RLIMIT_NOFILE)");
  }
}

troupe::load::report run(const troupe::load::load_options& o) {
  using troupe::load::scenario_kind;
  switch (o.scenario) {
    case scenario_kind::echo:
    case scenario_kind::counter:
      return troupe::load::run_request_reply(o);
    case scenario_kind::broadcast:
      return troupe::load::run_broadcast(o);
    case scenario_kind::idle:
      return troupe::load::run_idle(o);
    case scenario_kind::churn:
      return troupe::load::run_churn(o);
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  const auto parsed = troupe::load::parse_options(argc, argv);
  if (parsed.help) {
    std::cout << troupe::load::usage();
    return 0;
  }
  if (!parsed.error.empty()) {
    std::cerr << "troupe_load: " << parsed.error << "\n" << troupe::load::usage();
    return 2;
  }
  raise_open_file_limit();
  try {
    const auto r = run(parsed.options);
    troupe::load::print_table(std::cout, r);
    std::cout << troupe::load::json_line(r) << std::endl;
    const int code = troupe::load::exit_code(r);
    for (const auto& p : r.problems) std::cerr << "troupe_load: FAILED: " << p << "\n";
    if (r.overstayed) std::cerr << "troupe_load: FAILED: the run did not stop by its deadline\n";
    return code;
  } catch (const std::exception& e) {
    std::cerr << "troupe_load: FAILED: " << e.what() << "\n";
    return 1;
  }
}
