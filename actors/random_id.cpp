#include "actors/random_id.hpp"

#include <cstdio>
#include <random>

namespace troupe {

std::string random_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

}  // namespace troupe
