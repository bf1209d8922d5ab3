#include "config/logging.hpp"

#include "server/protocol/json_text.hpp"

#include <spdlog/async.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <future>
#include <memory>
#include <string>
#include <thread>

namespace troupe {
namespace {

constexpr std::size_t log_queue_lines = 8192;
constexpr const char* text_pattern = "[%Y-%m-%d %H:%M:%S.%e] [%^%l%$] [%t] %v";

// One JSON object per line: ts (UTC, milliseconds), level, thread, msg. Called under the sink's
// mutex, one message at a time.
class json_line_formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    line_.clear();
    line_ += "{\"ts\":\"";
    append_timestamp(msg.time);
    line_ += "\",\"level\":\"";
    const auto level = spdlog::level::to_string_view(msg.level);
    line_.append(level.data(), level.size());
    line_ += "\",\"thread\":";
    protocol::append_json_integer(line_, msg.thread_id);
    line_ += ",\"msg\":";
    protocol::append_json_string(line_, std::string_view(msg.payload.data(), msg.payload.size()));
    line_ += "}\n";
    dest.append(line_.data(), line_.data() + line_.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_line_formatter>();
  }

 private:
  void append_timestamp(spdlog::log_clock::time_point time) {
    const auto since_epoch = time.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds);
    const std::time_t t = static_cast<std::time_t>(seconds.count());
    std::tm utc{};
    gmtime_r(&t, &utc);
    char buf[32];
    const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
    line_.append(buf, n);
    char ms[8];
    const int m = std::snprintf(ms, sizeof ms, ".%03dZ", static_cast<int>(millis.count()));
    line_.append(ms, static_cast<std::size_t>(m));
  }

  std::string line_;
};

}  // namespace

void init_logging(const config& cfg) {
  spdlog::sink_ptr sink;
  if (cfg.log.format == log_format::json) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    sink->set_formatter(std::make_unique<json_line_formatter>());
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    sink->set_formatter(std::make_unique<spdlog::pattern_formatter>(text_pattern));
  }
  // Only the logging thread writes to stderr, which may block (a paused terminal, a pipe nobody
  // reads); the threads that log never wait for it. When its bounded queue is full the oldest
  // lines give way (counted: log_lines_dropped) instead of the server stalling.
  spdlog::init_thread_pool(log_queue_lines, 1);
  auto logger =
      std::make_shared<spdlog::async_logger>("troupe", std::move(sink), spdlog::thread_pool(),
                                             spdlog::async_overflow_policy::overrun_oldest);
  logger->set_level(spdlog::level::from_str(cfg.log.level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

std::uint64_t log_lines_dropped() {
  const auto pool = spdlog::thread_pool();
  return pool ? pool->overrun_counter() : 0;
}

bool drain_logging(std::chrono::milliseconds limit) {
  const auto pool = spdlog::thread_pool();
  if (!pool) return true;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (pool->queue_size() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the last line taken is written
  return true;
}

bool stop_logging(std::chrono::milliseconds limit) {
  // On a thread of its own: joining the logging thread waits for stderr, which may never drain.
  std::promise<void> stopped;
  auto done = stopped.get_future();
  std::thread([stopped = std::move(stopped)]() mutable {
    spdlog::shutdown();
    stopped.set_value();
  }).detach();
  return done.wait_for(limit) == std::future_status::ready;
}

}  // namespace troupe
