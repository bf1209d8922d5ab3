#pragma once
// A co_spawn completion handler that logs, once, an exception that escaped a coroutine; the
// server's coroutines treat expected errors as values, so anything arriving here is a bug.
// `what` is a string literal: a handler kept per connection should not carry a string copy.
#include <spdlog/spdlog.h>

#include <exception>

namespace troupe {

inline auto log_failure(const char* what) {
  return [what](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("{} failed unexpectedly: {}", what, ex.what());
    } catch (...) {
      spdlog::error("{} failed unexpectedly", what);
    }
  };
}

}  // namespace troupe
