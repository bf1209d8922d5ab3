// The HTTP side of the server: health, node, counters, rooms, metrics, static files, and the
// JSON errors for bad bodies, unknown paths, path escapes and wrong methods.
#include "tests/integration/support/raw_connection.hpp"
#include "tests/integration/support/server_fixture.hpp"

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace troupe::it {
namespace {

namespace http = boost::beast::http;
using namespace std::chrono_literals;

class http_api_test : public server_test {
 protected:
  troupe_options options() const override { return {{"--node-id", "http-node"}, {}, false}; }
};

std::string web_file(const std::string& name) {
  std::ifstream in(std::string(TROUPE_TEST_WEB_ROOT) + "/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// `reply` is a JSON error: the status, Content-Type application/json, and a body
// {"error":{"code":code,"message":"<non-empty>"}} with nothing else.
::testing::AssertionResult is_http_error(const result<http_reply>& reply, unsigned status,
                                         std::string_view code) {
  if (!reply) return ::testing::AssertionFailure() << "no reply: " << reply.error().message();
  if (reply->status != status)
    return ::testing::AssertionFailure()
           << "status " << reply->status << ", expected " << status << ": " << reply->body;
  if (reply->header("content-type") != "application/json")
    return ::testing::AssertionFailure() << "content-type " << reply->header("content-type");
  auto body = json::parse(reply->body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || body.size() != 1 || !body.contains("error") ||
      body["error"].size() != 2 || body["error"]["code"] != code ||
      !body["error"]["message"].is_string() || body["error"]["message"].get<std::string>().empty())
    return ::testing::AssertionFailure()
           << "body " << reply->body << " is not a '" << code << "' error";
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult is_json(const result<http_reply>& reply, const json& expected) {
  if (!reply) return ::testing::AssertionFailure() << "no reply: " << reply.error().message();
  if (reply->status != 200)
    return ::testing::AssertionFailure() << "status " << reply->status << ": " << reply->body;
  if (reply->header("content-type") != "application/json")
    return ::testing::AssertionFailure() << "content-type " << reply->header("content-type");
  auto body = json::parse(reply->body, nullptr, false);
  if (body != expected)
    return ::testing::AssertionFailure() << "body " << reply->body << ", expected " << expected;
  return ::testing::AssertionSuccess();
}

result<http_reply> call(std::uint16_t port, http::verb method, std::string target,
                        std::string body = {}, bool send_body = false) {
  return http_call(port,
                   {method, std::move(target), std::move(body), send_body, "application/json"});
}

TEST_F(http_api_test, healthz) {
  EXPECT_TRUE(is_json(http_get(port(), "/healthz"), {{"status", "ok"}}));
  auto head = call(port(), http::verb::head, "/healthz");
  ASSERT_TRUE(head) << head.error().message();
  EXPECT_EQ(head->status, 200u);
  EXPECT_EQ(head->header("content-length"), "15");
}

TEST_F(http_api_test, node_reports_the_node_id) {
  auto c = connect();
  auto reply = http_get(port(), "/api/node");
  ASSERT_TRUE(reply) << reply.error().message();
  EXPECT_EQ(reply->status, 200u);
  auto body = json::parse(reply->body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << reply->body;
  EXPECT_EQ(body["node"], "http-node");
  EXPECT_EQ(body["version"], "0.1.0");
  EXPECT_TRUE(body["uptime_s"].is_number_integer() && body["uptime_s"].get<int>() >= 0) << body;
  EXPECT_EQ(body["websockets"], 1) << body;
  EXPECT_TRUE(body["connections"].is_number_integer() && body["connections"].get<int>() >= 2)
      << body;
  EXPECT_EQ(body.size(), 5u) << body;
}

TEST_F(http_api_test, counters_get_and_increment) {
  EXPECT_TRUE(
      is_json(http_get(port(), "/api/counters/visits"), {{"counter", "visits"}, {"value", 0}}));
  // No body, an empty body, and {"by":n}.
  EXPECT_TRUE(is_json(call(port(), http::verb::post, "/api/counters/visits/inc"),
                      {{"counter", "visits"}, {"value", 1}}));
  EXPECT_TRUE(is_json(call(port(), http::verb::post, "/api/counters/visits/inc", "", true),
                      {{"counter", "visits"}, {"value", 2}}));
  EXPECT_TRUE(is_json(http_post(port(), "/api/counters/visits/inc", R"({"by":40})"),
                      {{"counter", "visits"}, {"value", 42}}));
  EXPECT_TRUE(is_json(http_post(port(), "/api/counters/visits/inc", R"({"by":-50})"),
                      {{"counter", "visits"}, {"value", -8}}));
  EXPECT_TRUE(is_json(http_post(port(), "/api/counters/visits/inc", "{}"),
                      {{"counter", "visits"}, {"value", -7}}));
  EXPECT_TRUE(
      is_json(http_get(port(), "/api/counters/visits"), {{"counter", "visits"}, {"value", -7}}));
  // A percent-encoded name is the same name (RFC 3986 2.1), in any case of hex digit.
  EXPECT_TRUE(is_json(http_get(port(), "/api/counters/vi%73it%73"),
                      {{"counter", "visits"}, {"value", -7}}));
  EXPECT_TRUE(is_json(http_post(port(), "/api/counters/%76isits/inc", R"({"by":1})"),
                      {{"counter", "visits"}, {"value", -6}}));
  EXPECT_TRUE(is_json(call(port(), http::verb::post, "/api/counters/visit%73/inc"),
                      {{"counter", "visits"}, {"value", -5}}));
  // A malformed escape stays as it is, and is no name.
  EXPECT_TRUE(is_http_error(http_get(port(), "/api/counters/visits%7"), 400, "bad_request"));
  EXPECT_TRUE(is_http_error(http_get(port(), "/api/counters/%zzvisits"), 400, "bad_request"));
  // An escaped slash is part of the name, not a separator: this is the counter endpoint (POST is
  // not allowed there) with a name that is no name.
  EXPECT_TRUE(is_http_error(http_get(port(), "/api/counters/visits%2Finc"), 400, "bad_request"));
  EXPECT_TRUE(is_http_error(http_post(port(), "/api/counters/visits%2Finc", ""), 405,
                            "method_not_allowed"));
  EXPECT_TRUE(is_json(http_post(port(), "/api/counters/visits/inc", R"({"by":-2})"),
                      {{"counter", "visits"}, {"value", -7}}));

  // The same counter as over WebSocket.
  auto c = connect();
  EXPECT_TRUE(next_frame_is_reply(
      *c, {{"type", "counter.inc"}, {"id", 1}, {"counter", "visits"}, {"by", 7}},
      {{"type", "counter.value"}, {"id", 1}, {"counter", "visits"}, {"value", 0}}));
  EXPECT_TRUE(
      is_json(http_get(port(), "/api/counters/visits"), {{"counter", "visits"}, {"value", 0}}));
}

TEST_F(http_api_test, counter_errors) {
  EXPECT_TRUE(is_http_error(http_post(port(), "/api/counters/c/inc", "nope"), 400, "bad_json"));
  // Valid JSON that is not an object is a bad request, as over a WebSocket.
  EXPECT_TRUE(is_http_error(http_post(port(), "/api/counters/c/inc", "[1]"), 400, "bad_request"));
  EXPECT_TRUE(
      is_http_error(http_post(port(), "/api/counters/c/inc", R"({"by":"x"})"), 400, "bad_request"));
  EXPECT_TRUE(
      is_http_error(http_post(port(), "/api/counters/c/inc", R"({"by":1.5})"), 400, "bad_request"));
  EXPECT_TRUE(is_http_error(http_get(port(), "/api/counters/bad%20name"), 400, "bad_request"));
  // None of that changed the counter.
  EXPECT_TRUE(is_json(http_get(port(), "/api/counters/c"), {{"counter", "c"}, {"value", 0}}));
}

TEST_F(http_api_test, rooms_list_and_detail) {
  EXPECT_TRUE(is_json(http_get(port(), "/api/rooms"), {{"rooms", json::array()}}));
  EXPECT_TRUE(is_http_error(http_get(port(), "/api/rooms/unknown"), 404, "not_found"));

  auto alice = connect();
  auto joined = alice->request({{"type", "room.join"}, {"room", "lobby"}, {"name", "alice"}});
  ASSERT_TRUE(joined) << joined.error().message();
  auto said =
      request_with_broadcast(*alice, {{"type", "room.say"}, {"room", "lobby"}, {"text", "hi"}},
                             [](const json& f) { return f["type"] == "ok"; });
  ASSERT_TRUE(said) << said.error().message();
  ASSERT_EQ(said->first, json({{"type", "ok"}, {"seq", 1}}));
  const json message = said->second;
  auto posted = http_post(port(), "/api/rooms/archive/messages", R"({"text":"kept","name":"bot"})");
  ASSERT_TRUE(posted) << posted.error().message();

  EXPECT_TRUE(is_json(http_get(port(), "/api/rooms"),
                      {{"rooms",
                        {{{"room", "archive"}, {"members", 0}, {"last_seq", 1}},
                         {{"room", "lobby"}, {"members", 1}, {"last_seq", 1}}}}}));
  EXPECT_TRUE(is_json(http_get(port(), "/api/rooms/lobby"),
                      {{"room", "lobby"},
                       {"members", {{{"session", alice->session()}, {"name", "alice"}}}},
                       {"history", {message}},
                       {"last_seq", 1},
                       {"epoch", (*joined)["epoch"]}}));
  EXPECT_TRUE(is_http_error(http_get(port(), "/api/rooms/bad%21name"), 400, "bad_request"));
}

TEST_F(http_api_test, publish_errors) {
  EXPECT_TRUE(is_http_error(http_post(port(), "/api/rooms/r/messages", ""), 400, "bad_json"));
  EXPECT_TRUE(is_http_error(http_post(port(), "/api/rooms/r/messages", "{"), 400, "bad_json"));
  EXPECT_TRUE(is_http_error(http_post(port(), "/api/rooms/r/messages", R"({"name":"x"})"), 400,
                            "bad_request"));
  EXPECT_TRUE(is_http_error(http_post(port(), "/api/rooms/r/messages", R"({"text":"x"})"), 400,
                            "bad_request"));
  EXPECT_TRUE(is_http_error(http_post(port(), "/api/rooms/r/messages", R"({"text":"x","name":""})"),
                            400, "bad_request"));
  EXPECT_TRUE(
      is_http_error(http_post(port(), "/api/rooms/r/messages",
                              json({{"text", std::string(4097, 'x')}, {"name", "x"}}).dump()),
                    400, "bad_request"));
  EXPECT_TRUE(is_http_error(http_get(port(), "/api/rooms/r/messages"), 405, "method_not_allowed"));
}

// A body over the server's limit (1 MiB) is answered 413 as soon as its length is known; the rest
// of it is read and dropped, so a client still sending gets the answer rather than a reset.
TEST_F(http_api_test, a_body_over_the_limit_is_413) {
  const std::string big = json({{"text", std::string(2 << 20, 'x')}, {"name", "x"}}).dump();
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(
        is_http_error(http_post(port(), "/api/rooms/r/messages", big), 413, "payload_too_large"))
        << "attempt " << i;
  }
  EXPECT_EQ(http_get(port(), "/healthz")->status, 200u);
}

// Request headers are read up to 8 KiB: beyond, 400 with a JSON body; just under, served.
TEST_F(http_api_test, headers_over_8_kib_are_400) {
  const auto request = [](std::size_t filler) {
    return "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + std::string(filler, 'f') +
           "\r\n\r\n";
  };
  raw_connection big(port());
  ASSERT_TRUE(big.send(request(9 * 1024)));
  auto refused = big.read_until("}}");
  ASSERT_TRUE(refused) << refused.error().message();
  EXPECT_TRUE(refused->starts_with("HTTP/1.1 400 ")) << *refused;
  EXPECT_NE(refused->find("Content-Type: application/json\r\n"), std::string::npos) << *refused;
  EXPECT_NE(refused->find(R"("code":"bad_request")"), std::string::npos) << *refused;

  raw_connection fits(port());
  ASSERT_TRUE(fits.send(request(7 * 1024)));
  auto served = fits.read_until(R"({"status":"ok"})");
  ASSERT_TRUE(served) << served.error().message();
  EXPECT_TRUE(served->starts_with("HTTP/1.1 200 OK\r\n")) << *served;
}

TEST_F(http_api_test, metrics_in_prometheus_text) {
  auto a = connect();
  auto b = connect();
  ASSERT_TRUE(a->request({{"type", "counter.inc"}, {"counter", "m"}}));
  // Connections from earlier requests close asynchronously: poll until only the two
  // WebSockets and this request are open.
  result<http_reply> reply = make_error_code(boost::system::errc::timed_out);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  do {
    reply = http_get(port(), "/metrics");
    ASSERT_TRUE(reply) << reply.error().message();
    if (prometheus_sample(reply->body, "troupe_connections") == 3) break;
    std::this_thread::sleep_for(10ms);
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(reply->status, 200u);
  EXPECT_EQ(reply->header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const auto& body = reply->body;
  EXPECT_EQ(prometheus_sample(body, "troupe_connections"), 3) << body;
  EXPECT_EQ(prometheus_sample(body, "troupe_websockets"), 2) << body;
  EXPECT_EQ(prometheus_sample(body, "troupe_websockets_total"), 2) << body;
  EXPECT_GE(prometheus_sample(body, "troupe_connections_total"), 3) << body;
  EXPECT_GE(prometheus_sample(body, "troupe_frames_in_total"), 1) << body;
  EXPECT_GE(prometheus_sample(body, "troupe_frames_out_total"), 3)
      << body;  // two welcomes and a reply
  EXPECT_GE(prometheus_sample(body, "troupe_http_requests_total"), 1) << body;
  for (const char* line :
       {"# TYPE troupe_connections gauge\n", "# TYPE troupe_websockets gauge\n",
        "# TYPE troupe_connections_total counter\n", "troupe_actors{kind=\"counter\"} 1\n",
        "troupe_actors{kind=\"session\"} 2\n", "# TYPE troupe_ask_latency_seconds histogram\n",
        "troupe_ask_latency_seconds_bucket{le=\"+Inf\"} "})
    EXPECT_NE(body.find(line), std::string::npos) << "missing " << line << " in\n" << body;
  // Every line is a comment or a sample "name{labels} value".
  std::istringstream lines(body);
  const std::regex sample_line(R"(^[a-z_]+(\{[a-z]+="[^"]*"\})? [0-9.e+-]+$)");
  for (std::string line; std::getline(lines, line);)
    EXPECT_TRUE(line.starts_with("# HELP ") || line.starts_with("# TYPE ") ||
                std::regex_match(line, sample_line))
        << "not Prometheus text: " << line;
}

TEST_F(http_api_test, static_files_with_content_types) {
  struct expectation {
    const char* target;
    const char* file;
    const char* content_type;
  };
  for (const auto& e : {expectation{"/", "index.html", "text/html; charset=utf-8"},
                        expectation{"/index.html", "index.html", "text/html; charset=utf-8"},
                        expectation{"/app.js", "app.js", "text/javascript; charset=utf-8"},
                        expectation{"/style.css", "style.css", "text/css; charset=utf-8"}}) {
    SCOPED_TRACE(e.target);
    auto reply = http_get(port(), e.target);
    ASSERT_TRUE(reply) << reply.error().message();
    EXPECT_EQ(reply->status, 200u);
    EXPECT_EQ(reply->header("content-type"), e.content_type);
    const auto expected = web_file(e.file);
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(reply->body, expected);
  }
}

TEST_F(http_api_test, path_escapes_and_unknown_paths_are_404) {
  for (const char* target :
       {"/../CMakeLists.txt", "/%2e%2e/CMakeLists.txt", "//etc/passwd", "/..%2fCMakeLists.txt",
        "/web/index.html", "/nope", "/index.html/", "/api/nope", "/api/counters/a/b/c"}) {
    EXPECT_TRUE(is_http_error(http_get(port(), target), 404, "not_found")) << target;
  }
}

TEST_F(http_api_test, wrong_method_is_405_with_allow) {
  struct expectation {
    http::verb method;
    const char* target;
    const char* allow;
  };
  for (const auto& e : {expectation{http::verb::post, "/healthz", "GET, HEAD"},
                        expectation{http::verb::delete_, "/metrics", "GET, HEAD"},
                        expectation{http::verb::put, "/api/node", "GET, HEAD"},
                        expectation{http::verb::post, "/api/counters/c", "GET, HEAD"},
                        expectation{http::verb::get, "/api/counters/c/inc", "POST"},
                        // the method is checked before the name, as for rooms
                        expectation{http::verb::delete_, "/api/counters/bad%20name", "GET, HEAD"},
                        expectation{http::verb::get, "/api/counters/bad%20name/inc", "POST"},
                        expectation{http::verb::delete_, "/api/rooms/bad%20name", "GET, HEAD"},
                        expectation{http::verb::post, "/api/rooms", "GET, HEAD"},
                        expectation{http::verb::delete_, "/api/rooms/r/messages", "POST"},
                        expectation{http::verb::post, "/index.html", "GET, HEAD"},
                        // a WebSocket handshake is a GET: anything else is not a 426
                        expectation{http::verb::post, "/ws", "GET"},
                        expectation{http::verb::delete_, "/ws", "GET"}}) {
    SCOPED_TRACE(std::string(http::to_string(e.method)) + " " + e.target);
    auto reply = call(port(), e.method, e.target, "{}", e.method != http::verb::get);
    EXPECT_TRUE(is_http_error(reply, 405, "method_not_allowed"));
    if (reply) {
      EXPECT_EQ(reply->header("allow"), e.allow);
    }
  }
}

TEST_F(http_api_test, websocket_path_without_upgrade_is_426) {
  auto reply = http_get(port(), "/ws");
  EXPECT_TRUE(is_http_error(reply, 426, "upgrade_required"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header("upgrade"), "websocket") << "RFC 7231 6.5.15: a 426 names the protocol";
}

// RFC 6455 has a client wait for the 101 before it sends, but one that does not loses nothing:
// what the HTTP reader took in behind the upgrade request is the WebSocket's first bytes, and
// the socket's come after them. 60 frames, about 3 KB, in one write: some are in the HTTP
// reader's buffer, the others still in the socket. (send_queue_stream_test hands bytes over in
// parts.)
TEST_F(http_api_test, frames_sent_right_behind_the_upgrade_request_are_read) {
  std::string bytes = upgrade_request("127.0.0.1");
  constexpr int frames = 60;
  for (int i = 1; i <= frames; ++i)
    bytes += masked_frame(0x1, R"({"type":"echo","id":)" + std::to_string(i) +
                                   R"(,"payload":"early-)" + std::to_string(i) + "\"}");
  ASSERT_GT(bytes.size(), 3000u);
  raw_connection c(port());
  ASSERT_TRUE(c.send(bytes));
  const std::string last = R"("payload":"early-)" + std::to_string(frames) + "\"";
  auto got = c.read_until(last);
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_TRUE(got->starts_with("HTTP/1.1 101 ")) << *got;
  std::size_t at = 0;
  for (int i = 1; i <= frames; ++i) {  // every one answered, in order
    const auto next = got->find(R"("payload":"early-)" + std::to_string(i) + "\"", at);
    ASSERT_NE(next, std::string::npos) << "no reply to frame " << i << " after byte " << at;
    at = next;
  }
}

// A WebSocket handshake the server refuses gets a JSON error like every other HTTP error.
TEST_F(http_api_test, refused_websocket_handshakes_get_json_errors) {
  const std::string head =
      "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
  raw_connection no_key(port());
  ASSERT_TRUE(no_key.send(head + "Sec-WebSocket-Version: 13\r\n\r\n"));
  auto refused = no_key.read_until("}}");
  ASSERT_TRUE(refused) << refused.error().message();
  EXPECT_TRUE(refused->starts_with("HTTP/1.1 400 ")) << *refused;
  EXPECT_NE(refused->find("Content-Type: application/json\r\n"), std::string::npos) << *refused;
  EXPECT_NE(refused->find(R"("code":"bad_request")"), std::string::npos) << *refused;

  // A key that is not the base64 of 16 bytes, no Host, HTTP/1.0: 400 with a JSON body, each.
  const std::string upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\n";
  const std::string good_key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
  const std::string v13 = "Sec-WebSocket-Version: 13\r\n\r\n";
  const std::pair<const char*, std::string> bad[] = {
      {"a short key", head + "Sec-WebSocket-Key: abc\r\n" + v13},
      {"a key of 24 characters outside base64",
       head + "Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!!!\r\n" + v13},
      {"no Host", "GET /ws HTTP/1.1\r\n" + upgrade + good_key + v13},
      {"HTTP/1.0", "GET /ws HTTP/1.0\r\nHost: 127.0.0.1\r\n" + upgrade + good_key + v13},
      {"two keys", head + good_key + "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n" + v13},
  };
  for (const auto& [what, request] : bad) {
    SCOPED_TRACE(what);
    raw_connection c(port());
    ASSERT_TRUE(c.send(request));
    auto reply = c.read_until("}}");
    ASSERT_TRUE(reply) << reply.error().message();
    EXPECT_NE(reply->find(" 400 Bad Request\r\n"), std::string::npos) << *reply;
    EXPECT_NE(reply->find("Content-Type: application/json\r\n"), std::string::npos) << *reply;
    EXPECT_NE(reply->find(R"("code":"bad_request")"), std::string::npos) << *reply;
  }

  raw_connection old_version(port());
  ASSERT_TRUE(old_version.send(
      head + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n"));
  refused = old_version.read_until("}}");
  ASSERT_TRUE(refused) << refused.error().message();
  EXPECT_TRUE(refused->starts_with("HTTP/1.1 426 ")) << *refused;
  EXPECT_NE(refused->find("Sec-WebSocket-Version: 13\r\n"), std::string::npos) << *refused;
  EXPECT_NE(refused->find(R"("code":"upgrade_required")"), std::string::npos) << *refused;
}

// RFC 7230 3.3.3: a request whose Transfer-Encoding does not end with chunked has no knowable
// length: 400, and the connection closes (its body is not taken for the next request).
TEST_F(http_api_test, a_transfer_encoding_not_ending_in_chunked_is_400_and_closes) {
  for (const char* coding : {"gzip", "chunked, gzip", "identity", "xchunked"}) {
    SCOPED_TRACE(coding);
    raw_connection c(port());
    ASSERT_TRUE(c.send(std::string("POST /api/counters/te/inc HTTP/1.1\r\nHost: a\r\n"
                                   "Transfer-Encoding: ") +
                       coding + "\r\n\r\n{\"by\":5}\r\n\r\n"));
    auto reply = c.read_until("never sent");  // everything, up to the server's close
    ASSERT_TRUE(reply) << "the connection stays open: " << reply.error().message();
    EXPECT_TRUE(reply->starts_with("HTTP/1.1 400 ")) << *reply;
    EXPECT_NE(reply->find("Transfer-Encoding"), std::string::npos) << *reply;
    EXPECT_EQ(reply->find("HTTP/1.1 ", 1), std::string::npos) << "one answer only: " << *reply;
  }
  EXPECT_TRUE(is_json(http_get(port(), "/api/counters/te"), {{"counter", "te"}, {"value", 0}}));
}

// A client that sends `Expect: 100-continue` waits for the 100 before it sends its body; one whose
// body is over the limit hears 413 from the head alone.
TEST_F(http_api_test, expect_100_continue_is_answered_before_the_body) {
  raw_connection c(port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(
      c.send("POST /api/counters/patient/inc HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Content-Type: application/json\r\nContent-Length: 8\r\n"
             "Expect: 100-continue\r\n\r\n"));
  auto go_on = c.read_until("\r\n\r\n", 2s);
  ASSERT_TRUE(go_on) << go_on.error().message();
  EXPECT_TRUE(go_on->starts_with("HTTP/1.1 100 Continue\r\n")) << *go_on;
  ASSERT_TRUE(c.send(R"({"by":2})"));
  auto reply = c.read_until(R"("value":2})");
  ASSERT_TRUE(reply) << reply.error().message();
  EXPECT_TRUE(reply->starts_with("HTTP/1.1 200 OK\r\n")) << *reply;

  raw_connection big(port());
  ASSERT_TRUE(big.connected());
  ASSERT_TRUE(
      big.send("POST /api/rooms/r/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               "Content-Type: application/json\r\nContent-Length: 50000000\r\n"
               "Expect: 100-continue\r\n\r\n"));
  auto refused = big.read_until("}}", 2s);
  ASSERT_TRUE(refused) << refused.error().message();
  EXPECT_TRUE(refused->starts_with("HTTP/1.1 413 ")) << *refused;
  EXPECT_NE(refused->find(R"("code":"payload_too_large")"), std::string::npos) << *refused;
}

// RFC 7230: an HTTP/1.1 request without Host is refused with 400 (HTTP/1.0 needs none), and an
// absolute-form target (as sent to proxies) is accepted.
TEST_F(http_api_test, host_is_required_and_absolute_targets_are_accepted) {
  raw_connection no_host(port());
  ASSERT_TRUE(no_host.send("GET /healthz HTTP/1.1\r\n\r\n"));
  auto refused = no_host.read_until("}}");
  ASSERT_TRUE(refused) << refused.error().message();
  EXPECT_TRUE(refused->starts_with("HTTP/1.1 400 ")) << *refused;
  EXPECT_NE(refused->find(R"("code":"bad_request")"), std::string::npos) << *refused;

  raw_connection old(port());
  ASSERT_TRUE(old.send("GET /healthz HTTP/1.0\r\n\r\n"));
  auto fine = old.read_until(R"("status":"ok"})");
  ASSERT_TRUE(fine) << fine.error().message();
  EXPECT_TRUE(fine->starts_with("HTTP/1.0 200 OK\r\n")) << *fine;

  // RFC 7230 5.4: more than one Host is a 400 too, in any version, upgrades included.
  for (const std::string_view request :
       {"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n",
        "GET /healthz HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n",
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n"}) {
    SCOPED_TRACE(request);
    raw_connection two_hosts(port());
    ASSERT_TRUE(two_hosts.send(request));
    auto reply = two_hosts.read_until("}}");
    ASSERT_TRUE(reply) << reply.error().message();
    EXPECT_NE(reply->find(" 400 Bad Request\r\n"), std::string::npos) << *reply;
    EXPECT_NE(reply->find("one Host header, this one has 2"), std::string::npos) << *reply;
  }
  raw_connection head(port());  // a HEAD's error has no body either
  ASSERT_TRUE(head.send("HEAD /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"));
  auto bodiless = head.read_until("never sent");  // up to the server's close
  ASSERT_TRUE(bodiless) << bodiless.error().message();
  EXPECT_TRUE(bodiless->starts_with("HTTP/1.1 400 ")) << *bodiless;
  EXPECT_TRUE(bodiless->ends_with("\r\n\r\n")) << *bodiless;

  raw_connection absolute(port());
  ASSERT_TRUE(
      absolute.send("GET http://127.0.0.1/api/counters/abs HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  auto counter = absolute.read_until(R"("value":0})");
  ASSERT_TRUE(counter) << counter.error().message();
  EXPECT_TRUE(counter->starts_with("HTTP/1.1 200 OK\r\n")) << *counter;
}

// A WebSocket upgrade to /ws with these Host and (when not empty) Origin headers.
std::string upgrade_from(std::string_view host, std::string_view origin) {
  return upgrade_request(host, origin.empty() ? "" : "Origin: " + std::string(origin) + "\r\n");
}

// The status line and headers the server answers `request` with (a 101's, or an error's up to
// the end of its JSON body).
std::string answer_to(std::uint16_t port, const std::string& request) {
  raw_connection c(port);
  if (!c.send(request)) return "(send failed)";
  auto reply = c.read_until("\r\n\r\n");
  if (!reply) return "(no answer: " + reply.error().message() + ")";
  if (reply->starts_with("HTTP/1.1 101 ")) return *reply;
  auto rest = c.read_until("}}");
  return *reply + (rest ? *rest : std::string());
}

// By default any page may open a WebSocket: the server has no cookies to protect.
TEST_F(http_api_test, any_origin_may_open_a_websocket_by_default) {
  const std::string host = "127.0.0.1:" + std::to_string(port());
  for (const char* origin : {"", "https://evil.example", "null"}) {
    SCOPED_TRACE(origin);
    EXPECT_TRUE(answer_to(port(), upgrade_from(host, origin)).starts_with("HTTP/1.1 101 "));
  }
}

class allowed_origins_test : public server_test {
 protected:
  troupe_options options() const override {
    return {{"--allowed-origins", "https://chat.example.com, http://localhost:3000"}, {}, false};
  }
};

// With server.allowed_origins, a page from elsewhere gets 403; the listed origins, this server's
// own pages and clients that send no Origin (wscat, curl) are admitted.
TEST_F(allowed_origins_test, only_listed_origins_and_the_servers_own_pages_open_websockets) {
  const std::string host = "127.0.0.1:" + std::to_string(port());
  for (const std::string& origin :
       {std::string("https://chat.example.com"), std::string("HTTPS://CHAT.example.com:443"),
        std::string("http://localhost:3000"), "http://" + host, std::string()}) {
    SCOPED_TRACE(origin);
    const auto answer = answer_to(port(), upgrade_from(host, origin));
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 101 ")) << answer;
  }
  for (const char* origin : {"https://evil.example", "http://chat.example.com",
                             "http://localhost:3001", "null", "http://127.0.0.1:1"}) {
    SCOPED_TRACE(origin);
    const auto answer = answer_to(port(), upgrade_from(host, origin));
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 403 Forbidden\r\n")) << answer;
    EXPECT_NE(answer.find("Content-Type: application/json\r\n"), std::string::npos) << answer;
    EXPECT_NE(answer.find(R"("code":"origin_not_allowed")"), std::string::npos) << answer;
    EXPECT_NE(answer.find(origin), std::string::npos) << answer;
  }
  // With two Origins, both must be admitted, in either order.
  for (const char* two : {"Origin: https://chat.example.com\r\nOrigin: https://evil.example\r\n",
                          "Origin: https://evil.example\r\nOrigin: https://chat.example.com\r\n"}) {
    const auto answer = answer_to(port(), upgrade_request(host, two));
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 403 Forbidden\r\n")) << two << answer;
  }
  // An absolute-form target names the host the request went to; Host does not count then.
  const std::string absolute = "GET http://" + host + "/ws HTTP/1.1";
  auto to_target = [&](std::string_view origin) {
    auto request = upgrade_request("evil.example", "Origin: " + std::string(origin) + "\r\n");
    return absolute + request.substr(request.find("\r\n"));
  };
  EXPECT_TRUE(answer_to(port(), to_target("http://evil.example")).starts_with("HTTP/1.1 403 "));
  EXPECT_TRUE(answer_to(port(), to_target("http://" + host)).starts_with("HTTP/1.1 101 "));

  // Frames sent right behind a refused upgrade do not reset the refusal away.
  std::string eager = upgrade_from(host, "https://evil.example");
  for (int i = 0; i < 60; ++i) eager += masked_frame(0x1, R"({"type":"ping"})");
  raw_connection c(port());
  ASSERT_TRUE(c.send(eager));
  auto refused = c.read_until("never sent");  // up to the server's close
  ASSERT_TRUE(refused) << refused.error().message();
  EXPECT_TRUE(refused->starts_with("HTTP/1.1 403 ")) << *refused;
  EXPECT_TRUE(refused->ends_with("}}")) << *refused;
}

// Such a page cannot read the HTTP API's answers (no CORS headers), but its forms can post: a
// request that changes state is refused too, one that reads is not.
TEST_F(allowed_origins_test, pages_from_elsewhere_cannot_post_but_may_read) {
  const std::string host = "127.0.0.1:" + std::to_string(port());
  const auto request = [&](std::string_view method, std::string_view origin) {
    return std::string(method) + " /api/counters/posted" + (method == "POST" ? "/inc" : "") +
           " HTTP/1.1\r\nHost: " + host + "\r\nOrigin: " + std::string(origin) +
           "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  };
  auto refused = answer_to(port(), request("POST", "https://evil.example"));
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 403 Forbidden\r\n")) << refused;
  EXPECT_NE(refused.find(R"("code":"origin_not_allowed")"), std::string::npos) << refused;

  auto counted = answer_to(port(), request("POST", "https://chat.example.com"));
  EXPECT_TRUE(counted.starts_with("HTTP/1.1 200 OK\r\n")) << counted;
  EXPECT_NE(counted.find(R"("value":1})"), std::string::npos) << counted;
  auto read = answer_to(port(), request("GET", "https://evil.example"));
  EXPECT_TRUE(read.starts_with("HTTP/1.1 200 OK\r\n")) << read;
  EXPECT_NE(read.find(R"("value":1})"), std::string::npos) << read;  // the refused one not counted

  // A wrong method is a 405 whoever asks (the endpoint is wrong, not the page).
  for (const std::string target :
       {"/healthz", "/api/counters/posted/inc", "/api/rooms/r/messages"}) {
    const auto method = target == "/healthz" ? "POST " : "PUT ";
    auto wrong = answer_to(port(), method + target + " HTTP/1.1\r\nHost: " + host +
                                       "\r\nOrigin: https://evil.example\r\n"
                                       "Content-Length: 0\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(wrong.starts_with("HTTP/1.1 405 ")) << target << "\n" << wrong;
  }
}

}  // namespace
}  // namespace troupe::it
