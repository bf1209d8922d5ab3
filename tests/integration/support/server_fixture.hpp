#pragma once
// server_test: a GoogleTest fixture that starts a fresh troupe server for every test (flags from
// options()), guards the test with a watchdog, and prints the server's output when the test
// failed. Plus small helpers for the assertions the integration tests share.
// Threads: the test's main thread; clients it creates may be handed to other threads.
#include "tests/integration/support/http_client.hpp"
#include "tests/integration/support/troupe_process.hpp"
#include "tests/integration/support/ws_client.hpp"
#include "tests/support/watchdog.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace troupe::it {

using test::watchdog;

// Every test must finish within this (the suite's ctest timeout is 120 s).
inline constexpr std::chrono::seconds test_limit{60};

class server_test : public ::testing::Test {
 protected:
  // The server's flags for this fixture; override to change them.
  virtual troupe_options options() const { return {}; }

  void SetUp() override;
  void TearDown() override;

  std::uint16_t port() const { return server_->port(); }
  troupe_process& server() { return *server_; }

  // A client that has connected to /ws and read its welcome; failures are reported with
  // ADD_FAILURE (the client is then closed, and every later call on it fails).
  std::unique_ptr<ws_client> connect();

  std::optional<watchdog> watchdog_;
  std::unique_ptr<troupe_process> server_;
};

// `prefix` followed by `n` ("m3"). (Spelt out because GCC 12 warns falsely about
// "literal" + std::to_string(n).)
inline std::string numbered(std::string_view prefix, long long n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

// `j` without the named top-level fields (for comparing frames that carry ids or timestamps).
json without(json j, std::initializer_list<const char*> keys);

// The next frame on `c` is exactly `expected`.
::testing::AssertionResult next_frame_is(ws_client& c, const json& expected);

// Sends `request` on `c`; the next frame is exactly `expected`.
::testing::AssertionResult next_frame_is_reply(ws_client& c, const json& request,
                                               const json& expected);

// For a request whose reply and the broadcast it causes may reach the sender in either order
// (room.say; counter.inc by a watcher): sends `request`, reads two frames and returns them as
// {reply, broadcast}, telling them apart with `is_reply`.
result<std::pair<json, json>> request_with_broadcast(
    ws_client& c, const json& request, const std::function<bool(const json&)>& is_reply);

// The value of the un-labelled sample `name` in a Prometheus text body (/metrics), or -1.
long long prometheus_sample(const std::string& body, const std::string& name);

// `c` still answers: a ping with a fresh id gets its pong as the very next frame (so nothing was
// queued for `c` before the ping either).
::testing::AssertionResult answers_ping(ws_client& c);

// The error frame for `code` with `id` (null: no id field); the message must be a non-empty
// string, and is not compared.
::testing::AssertionResult is_error(const result<json>& frame, std::string_view code,
                                    const json& id = nullptr);

}  // namespace troupe::it
