#pragma once
// domain_env: what the domain actors share — the store and the settings they run by. Owned by
// the server, outlives every actor; read-only after startup.
#include <chrono>
#include <cstddef>
#include <string>

namespace troupe {

class state_store;

struct domain_env {
  state_store* store = nullptr;
  std::string node_id;
  std::size_t room_history = 100;                 // messages kept per room
  std::chrono::milliseconds idle_timeout{30000};  // an unused room or counter passivates
  std::size_t max_text_bytes = 4096;
  std::size_t max_rooms = 1000;         // room actors running, and rooms with stored history
  std::size_t max_counters = 100000;    // counter actors running, and counters stored
  std::size_t max_subscriptions = 100;  // rooms joined plus counters watched, per session
};

}  // namespace troupe
