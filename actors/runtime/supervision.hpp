#pragma once
// What happens when an actor fails or ends, and what its watchers are told.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace troupe {

enum class exit_reason {
  normal,              // stop(), or passivated when idle
  failure,             // a handler threw and the policy allows no restart
  restarts_exhausted,  // a handler threw after max_restarts within the window
  shutdown,            // the actor system shut down
};

std::string_view to_string(exit_reason r) noexcept;

// At most `max_restarts` restarts within `within`; one more failure stops the actor.
struct restart_policy {
  std::uint32_t max_restarts = 3;
  std::chrono::milliseconds within{5000};
};

// Sent to every watcher once the watched actor has terminated. A watching actor's message
// variant includes this type.
struct actor_terminated {
  std::uint64_t id = 0;
  std::string name;
  std::string kind;
  exit_reason reason = exit_reason::normal;
};

}  // namespace troupe
