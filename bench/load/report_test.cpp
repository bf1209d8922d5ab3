// The load tool's verdicts: what the rate counts in each mode, and which command lines it refuses.
#include "bench/load/report.hpp"
#include "bench/load/options.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace troupe::load {
namespace {

parse_result parse(std::vector<std::string> args) {
  args.insert(args.begin(), "troupe_load");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return parse_options(static_cast<int>(argv.size()), argv.data());
}

TEST(LoadOptions, RateIsRefusedWhereTheLoopIsClosed) {
  for (const char* scenario : {"echo", "counter", "idle"}) {
    SCOPED_TRACE(scenario);
    const auto r = parse({"--scenario", scenario, "--rate", "100"});
    EXPECT_NE(r.error.find("--rate applies to broadcast and churn only"), std::string::npos)
        << r.error;
  }
  EXPECT_EQ(parse({"--scenario", "broadcast", "--rate", "100"}).error, "");
  EXPECT_EQ(parse({"--scenario", "churn", "--rate", "100"}).error, "");
}

report broadcast_report(double asked_rate) {
  report r;
  r.options.scenario = scenario_kind::broadcast;
  r.options.rate = asked_rate;
  r.unit = "deliveries";
  r.window_s = 10;
  r.totals.completed = 1'500'000;  // sent in the window: all of them, at 150k/s asked
  r.totals.in_window = 700'000;    // read in the window: the server kept up with 70k/s
  r.totals.expected_deliveries = 1'500'000;
  r.totals.received = 1'500'000;
  return r;
}

TEST(LoadReport, AtAFixedRateTheRateIsWhatArrivedInTheWindow) {
  report r = broadcast_report(150'000);
  EXPECT_DOUBLE_EQ(r.rate(), 70'000);
  judge(r);
  EXPECT_TRUE(r.problems.empty());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("achieved 70000 deliveries/s of the 150000/s asked for"),
            std::string::npos)
      << r.warnings[0];
}

TEST(LoadReport, InAClosedLoopTheRateIsWhatWasSentInTheWindowAndCompleted) {
  report r = broadcast_report(0);
  EXPECT_DOUBLE_EQ(r.rate(), 150'000);
  judge(r);
  EXPECT_TRUE(r.problems.empty());
  EXPECT_TRUE(r.warnings.empty());
}

TEST(LoadReport, ALostDeliveryFailsAClosedLoopAndWarnsAtAFixedRate) {
  report closed = broadcast_report(0);
  closed.totals.received -= 1;  // late (read after the drain period) or never
  judge(closed);
  ASSERT_EQ(closed.problems.size(), 1u);
  EXPECT_NE(closed.problems[0].find("1 of 1500000 deliveries never arrived"), std::string::npos);
  report fixed = broadcast_report(150'000);
  fixed.totals.received -= 1;
  judge(fixed);
  EXPECT_TRUE(fixed.problems.empty());
  EXPECT_EQ(fixed.warnings.size(), 2u);
}

}  // namespace
}  // namespace troupe::load
