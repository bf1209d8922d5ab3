#include "tests/integration/support/server_fixture.hpp"

#include <atomic>
#include <iostream>
#include <regex>

namespace troupe::it {

void server_test::SetUp() {
  watchdog_.emplace(test_limit);
  server_ = std::make_unique<troupe_process>(options());
  ASSERT_TRUE(server_->wait_ready()) << "the server did not become ready\n" << server_->log();
}

void server_test::TearDown() {
  if (HasFailure() && server_) std::cerr << server_->log();
  server_.reset();  // SIGKILL: a test that wants a clean exit checks it itself
  watchdog_.reset();
}

std::unique_ptr<ws_client> server_test::connect() {
  auto c = std::make_unique<ws_client>();
  auto welcome = c->connect_welcome(port());
  if (!welcome) {
    ADD_FAILURE() << "connecting to /ws failed: " << welcome.error().message();
  } else if ((*welcome)["type"] != "welcome") {
    ADD_FAILURE() << "the first frame is not a welcome: " << *welcome;
  }
  return c;
}

json without(json j, std::initializer_list<const char*> keys) {
  for (const char* k : keys) j.erase(k);
  return j;
}

::testing::AssertionResult next_frame_is(ws_client& c, const json& expected) {
  auto frame = c.read_json();
  if (!frame) return ::testing::AssertionFailure() << "no frame: " << frame.error().message();
  if (*frame != expected)
    return ::testing::AssertionFailure() << "got " << *frame << "\nexpected " << expected;
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult next_frame_is_reply(ws_client& c, const json& request,
                                               const json& expected) {
  if (auto sent = c.send_json(request); !sent)
    return ::testing::AssertionFailure()
           << "sending " << request << " failed: " << sent.error().message();
  return next_frame_is(c, expected) << "\nin reply to " << request;
}

result<std::pair<json, json>> request_with_broadcast(
    ws_client& c, const json& request, const std::function<bool(const json&)>& is_reply) {
  if (auto sent = c.send_json(request); !sent) return sent.error();
  auto first = c.read_json();
  if (!first) return first.error();
  auto second = c.read_json();
  if (!second) return second.error();
  if (is_reply(*first)) return std::pair{std::move(*first), std::move(*second)};
  return std::pair{std::move(*second), std::move(*first)};
}

long long prometheus_sample(const std::string& body, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(body, m, std::regex("(^|\n)" + name + " ([0-9]+)\n"))) return -1;
  return std::stoll(m[2]);
}

::testing::AssertionResult answers_ping(ws_client& c) {
  static std::atomic<int> next_id{0};
  const std::string id = "ping-" + std::to_string(++next_id);
  if (auto sent = c.send_json({{"type", "ping"}, {"id", id}}); !sent)
    return ::testing::AssertionFailure() << "sending a ping failed: " << sent.error().message();
  return next_frame_is(c, {{"type", "pong"}, {"id", id}});
}

::testing::AssertionResult is_error(const result<json>& frame, std::string_view code,
                                    const json& id) {
  if (!frame) return ::testing::AssertionFailure() << "no frame: " << frame.error().message();
  const json& f = *frame;
  json expected_keys = json::array({"code", "message", "type"});
  if (!id.is_null()) expected_keys = json::array({"code", "id", "message", "type"});
  json keys = json::array();
  if (f.is_object())
    for (const auto& [k, v] : f.items()) keys.push_back(k);
  if (keys != expected_keys)
    return ::testing::AssertionFailure()
           << "fields " << keys << ", expected " << expected_keys << " in " << f;
  if (f["type"] != "error" || f["code"] != code || (!id.is_null() && f["id"] != id) ||
      !f["message"].is_string() || f["message"].get<std::string>().empty())
    return ::testing::AssertionFailure()
           << "expected an error '" << code << "' with id " << id << ", got " << f;
  return ::testing::AssertionSuccess();
}

}  // namespace troupe::it
