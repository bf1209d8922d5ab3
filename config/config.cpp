#include "config/config.hpp"

#include <unistd.h>

#include <array>
#include <thread>

namespace troupe {

unsigned effective_threads(const config& cfg) {
  if (cfg.server.threads != 0) return cfg.server.threads;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

std::size_t effective_echo_workers(const config& cfg) {
  return cfg.workers.echo != 0 ? cfg.workers.echo : effective_threads(cfg);
}

std::string effective_node_id(const config& cfg) {
  if (!cfg.node.id.empty()) return cfg.node.id;
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0)
    return "localhost:" + std::to_string(cfg.server.port);
  return std::string(host.data()) + ":" + std::to_string(cfg.server.port);
}

}  // namespace troupe
