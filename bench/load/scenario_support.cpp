#include "bench/load/scenarios.hpp"

#include <boost/asio/ip/address.hpp>

namespace troupe::load {

dial_plan dial_plan_for(const load_options& o) {
  dial_plan d;
  d.remote = {boost::asio::ip::make_address(o.host), o.port};
  d.host_header = o.host + ":" + std::to_string(o.port);
  d.target = o.target;
  d.source_ips = o.source_ips;
  d.timeout = seconds_ns(o.connect_timeout_s);
  return d;
}

report start_report(const load_options& o, std::string unit, std::size_t connections) {
  report r;
  r.options = o;
  r.unit = std::move(unit);
  r.connections = connections;
  return r;
}

void conclude(report& r, io_pool& pool, const std::vector<thread_stats>& stats) {
  pool.halt();
  r.totals = sum(stats);
  judge(r);
}

}  // namespace troupe::load
