#pragma once
// init_logging: installs spdlog's default logger (named "troupe", writing to stderr) as the
// config's log settings say. Call once on the main thread before other threads log; afterwards
// log from any thread through spdlog's free functions (spdlog::info(...)), which are thread-safe.
// Lines reach stderr from a logging thread of their own, so logging never blocks the caller.
#include "config/config.hpp"

#include <chrono>
#include <cstdint>

namespace troupe {

// log.level: trace debug info warn error critical off.
// log.format text: "[2024-05-01 12:00:00.123] [info] [1234] message", for people (coloured on a
// terminal). log.format json: one object per line, for machines:
//   {"ts":"2024-05-01T12:00:00.123Z","level":"info","thread":1234,"msg":"message"}
void init_logging(const config& cfg);

// Lines lost because stderr did not keep up (the oldest queued lines give way to new ones).
std::uint64_t log_lines_dropped();

// Waits (at most `limit`) until the logging thread has taken every queued line, leaving logging
// running: for a process about to end abruptly while other threads may still log.
bool drain_logging(std::chrono::milliseconds limit);

// Writes out every queued line and stops the logging thread; nothing may log afterwards. False if
// stderr did not take the lines within `limit` (the logging thread is then left behind, stuck).
bool stop_logging(std::chrono::milliseconds limit = std::chrono::seconds(2));

}  // namespace troupe
