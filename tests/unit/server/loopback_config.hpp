#pragma once
// loopback_config: the config of a server a test runs in-process, on 127.0.0.1 and a port the
// kernel picks (server::port() tells it).
#include "config/config.hpp"

namespace troupe::test {

inline config loopback_config(unsigned threads) {
  config cfg;
  cfg.server.host = "127.0.0.1";
  cfg.server.port = 0;
  cfg.server.threads = threads;
  return cfg;
}

}  // namespace troupe::test
