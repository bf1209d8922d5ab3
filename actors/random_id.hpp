#pragma once
// random_id: a fresh random id (16 hex digits), for session ids and room epochs. Thread-safe
// (a generator per thread).
#include <string>

namespace troupe {

std::string random_id();

}  // namespace troupe
