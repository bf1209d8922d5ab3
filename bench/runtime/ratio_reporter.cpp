#include "bench/runtime/ratio_reporter.hpp"

#include <cstdio>
#include <ostream>
#include <utility>

namespace troupe::bench {
namespace {

std::string key_of(const benchmark::BenchmarkReporter::Run& run) {
  const auto& n = run.run_name;
  return n.args.empty() ? n.function_name : n.function_name + "/" + n.args;
}

std::string format(double v) {
  char buf[32];
  if (v >= 1e6)
    std::snprintf(buf, sizeof buf, "%.2fM", v / 1e6);
  else if (v >= 1e4)
    std::snprintf(buf, sizeof buf, "%.1fk", v / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string ratio(const double* a, const double* b) {
  if (!a || !b || *b == 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", *a / *b);
  return buf;
}

}  // namespace

ratio_reporter::ratio_reporter(std::vector<comparison> rows, std::string note)
    : benchmark::ConsoleReporter(OO_Tabular), rows_(std::move(rows)), note_(std::move(note)) {}

void ratio_reporter::ReportRuns(const std::vector<Run>& runs) {
  benchmark::ConsoleReporter::ReportRuns(runs);
  for (const auto& run : runs) {
    if (run.error_occurred) {
      any_error_ = true;
      continue;
    }
    const auto key = key_of(run);
    const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
    if (run.run_type == Run::RT_Aggregate && !median) continue;
    if (!median && from_median_[key]) continue;
    from_median_[key] = median;
    auto& counters = figures_[key];
    for (const auto& [name, counter] : run.counters) counters[name] = counter.value;
  }
}

const double* ratio_reporter::find(const std::string& key, const std::string& metric) const {
  if (key.empty()) return nullptr;
  auto it = figures_.find(key);
  if (it == figures_.end()) return nullptr;
  auto m = it->second.find(metric);
  return m == it->second.end() ? nullptr : &m->second;
}

void ratio_reporter::Finalize() {
  benchmark::ConsoleReporter::Finalize();
  auto& out = GetOutputStream();
  if (!note_.empty()) out << '\n' << note_ << '\n';
  char line[256];
  std::snprintf(line, sizeof line, "\n%-26s %-10s %9s %9s %8s %9s %8s  %s\n", "troupe vs baselines",
                "metric", "troupe", "channel", "t/chan", "caf", "t/caf", "target");
  out << line;
  for (const auto& row : rows_) {
    const double* t = find(row.troupe, row.metric);
    const double* ch = find(row.channel, row.metric);
    const double* caf = find(row.caf, row.metric);
    std::string verdict = "-";
    if (row.target > 0 && t) {
      const bool met = row.higher_is_better ? *t >= row.target : *t <= row.target;
      verdict = (met ? "met (" : "MISSED (") + std::string(row.higher_is_better ? ">= " : "<= ") +
                format(row.target) + ")";
    }
    std::snprintf(line, sizeof line, "%-26s %-10s %9s %9s %8s %9s %8s  %s\n", row.workload.c_str(),
                  row.metric.c_str(), t ? format(*t).c_str() : "-", ch ? format(*ch).c_str() : "-",
                  ratio(t, ch).c_str(), caf ? format(*caf).c_str() : "-", ratio(t, caf).c_str(),
                  verdict.c_str());
    out << line;
  }
  out.flush();
}

}  // namespace troupe::bench
