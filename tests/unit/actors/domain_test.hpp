#pragma once
// domain_test: the fixture the domain actors' tests share: an actor system, an in-memory store
// and the environment domain actors are built with, plus a way to read what landed in an outbox.
#include "actors/domain_env.hpp"
#include "actors/outbox.hpp"
#include "actors/runtime/actor_system.hpp"
#include "actors/store/memory_store.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <vector>

namespace troupe {

class domain_test : public ::testing::Test {
 protected:
  domain_test() { env_.store = &store_; }

  // Everything queued in `out` so far, parsed.
  static std::vector<nlohmann::json> drain(outbox& out) {
    std::vector<frame> frames;
    std::vector<nlohmann::json> parsed;
    while (out.queue().take(frames)) {
      for (auto& f : frames) parsed.push_back(nlohmann::json::parse(f->text()));
      frames.clear();
    }
    return parsed;
  }

  memory_store store_{1000, 1000};
  domain_env env_;
  actor_system system_{system_config{2}};
};

}  // namespace troupe
