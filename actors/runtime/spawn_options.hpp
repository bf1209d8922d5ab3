#pragma once
#include "actors/runtime/supervision.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace boost::asio {
class io_context;
}

namespace troupe {

// Per-actor settings; unset fields take the system's defaults (system_config).
struct spawn_options {
  std::string name;                       // registered name, if any
  std::size_t mailbox_capacity = 0;       // 0: system default
  std::optional<restart_policy> restart;  // unset: system default
  // The io thread's io_context to run on (one of the system's), for an actor that should share
  // a thread with something else, such as a session with its socket. Null: the next in turn.
  boost::asio::io_context* io = nullptr;
};

// System-wide defaults, fixed at construction.
struct system_config {
  unsigned threads = 0;  // io threads; 0: hardware concurrency
  std::size_t mailbox_capacity = 1024;
  std::chrono::milliseconds ask_timeout{5000};
  std::chrono::milliseconds shutdown_timeout{5000};
  restart_policy restart{};
};

}  // namespace troupe
