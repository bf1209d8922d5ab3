// init_logging: level and format (human text or one JSON object per line) on stderr.
#include "config/logging.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

using troupe::config;
using troupe::log_format;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Runs `log` with logging set up from `cfg`, returning what reached stderr.
template <class F>
std::string captured(const config& cfg, F log) {
  ::testing::internal::CaptureStderr();
  troupe::init_logging(cfg);
  log();
  EXPECT_TRUE(troupe::stop_logging());  // every line written out
  return ::testing::internal::GetCapturedStderr();
}

TEST(logging, json_lines_with_ts_level_and_msg) {
  config cfg;
  cfg.log.format = log_format::json;
  cfg.log.level = "debug";
  const std::string message = "say \"hi\"\n\tthen \\ leave \xC3\xA9 {}";
  const std::string out = captured(cfg, [&] {
    spdlog::info("{}", message);
    spdlog::debug("debug line");
    spdlog::trace("not logged at debug");
    spdlog::error("code {}", 42);
  });
  const auto lines = lines_of(out);
  ASSERT_EQ(lines.size(), 3u) << out;
  const std::regex iso_ms(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  const char* levels[] = {"info", "debug", "error"};
  const std::string msgs[] = {message, "debug line", "code 42"};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto j = nlohmann::json::parse(lines[i], nullptr, false);
    ASSERT_TRUE(j.is_object()) << "not a JSON object: " << lines[i];
    EXPECT_TRUE(std::regex_match(j.value("ts", ""), iso_ms)) << lines[i];
    EXPECT_EQ(j.value("level", ""), levels[i]);
    EXPECT_EQ(j.value("msg", ""), msgs[i]);
    EXPECT_TRUE(j["thread"].is_number_integer()) << lines[i];
  }
}

TEST(logging, text_for_people) {
  config cfg;
  const std::string out = captured(cfg, [] {
    spdlog::info("server up on {}", 8080);
    spdlog::debug("hidden at info");
  });
  const auto lines = lines_of(out);
  ASSERT_EQ(lines.size(), 1u) << out;
  EXPECT_NE(lines[0].find("info"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("server up on 8080"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[0].front(), '[');
}

TEST(logging, level_off_logs_nothing) {
  config cfg;
  cfg.log.level = "off";
  EXPECT_EQ(captured(cfg, [] { spdlog::critical("silence"); }), "");
}

TEST(logging, level_is_applied) {
  config cfg;
  cfg.log.level = "warn";
  const std::string out = captured(cfg, [] {
    EXPECT_EQ(spdlog::default_logger()->level(), spdlog::level::warn);
    spdlog::info("no");
    spdlog::warn("yes");
  });
  EXPECT_EQ(lines_of(out).size(), 1u) << out;
}

}  // namespace
