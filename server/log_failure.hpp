#pragma once
// A co_spawn completion handler that logs, once, an exception that escaped a coroutine; the
// server's coroutines treat expected errors as values, so anything arriving here is a bug.
#include <spdlog/spdlog.h>

#include <exception>
#include <string>

namespace troupe {

inline auto log_failure(std::string what) {
  return [what = std::move(what)](std::exception_ptr e) {
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
