#pragma once
// init_logging: installs spdlog's default logger (named "troupe", writing to stderr) as the
// config's log settings say. Call once on the main thread before other threads log; afterwards
// log from any thread through spdlog's free functions (spdlog::info(...)), which are thread-safe.
#include "config/config.hpp"

namespace troupe {

// log.level: trace debug info warn error critical off.
// log.format text: "[2024-05-01 12:00:00.123] [info] [1234] message", for people (coloured on a
// terminal). log.format json: one object per line, for machines:
//   {"ts":"2024-05-01T12:00:00.123Z","level":"info","thread":1234,"msg":"message"}
void init_logging(const config& cfg);

}  // namespace troupe
