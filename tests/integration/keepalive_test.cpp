// Keep-alive (--idle-timeout-ms): a peer that answers the server's pings stays connected however
// long it is quiet; one that is silent for the whole idle timeout is dropped, and the server
// carries on serving the others.
#include "tests/integration/support/http_client.hpp"
#include "tests/integration/support/server_fixture.hpp"

#include <boost/beast/core/error.hpp>

#include <chrono>
#include <thread>

namespace troupe::it {
namespace {

using namespace std::chrono_literals;

constexpr auto idle_timeout = 400ms;

class keepalive_test : public server_test {
 protected:
  troupe_options options() const override { return {{"--idle-timeout-ms", "400"}, {}, false}; }
};

TEST_F(keepalive_test, a_client_that_answers_pings_outlives_the_idle_timeout) {
  auto alice = connect();
  ASSERT_TRUE(
      alice->request({{"type", "room.join"}, {"room", "quiet"}, {"name", "alice"}, {"id", 1}}));
  // Alice only reads (Beast answers each ping with a pong) while nothing is said for three idle
  // timeouts; then a message comes in over HTTP.
  std::thread publisher([port = port()] {
    std::this_thread::sleep_for(3 * idle_timeout);
    auto posted =
        http_post(port, "/api/rooms/quiet/messages", R"({"text":"still there?","name":"curl"})");
    EXPECT_TRUE(posted && posted->status == 200u);
  });
  auto said = alice->read_until([](const json& j) { return j["type"] == "room.message"; });
  publisher.join();
  ASSERT_TRUE(said) << said.error().message();
  EXPECT_EQ((*said)["text"], "still there?") << *said;
  EXPECT_GE(alice->pings(), 2u);  // one per half timeout of silence, at least
  EXPECT_TRUE(answers_ping(*alice));
}

TEST_F(keepalive_test, a_silent_client_is_dropped_and_others_carry_on) {
  auto silent = connect();
  auto chatty = connect();
  // `silent` reads nothing, so it never answers a ping; `chatty` keeps talking meanwhile.
  const auto until = std::chrono::steady_clock::now() + 3 * idle_timeout;
  while (std::chrono::steady_clock::now() < until) {
    ASSERT_TRUE(answers_ping(*chatty));
    std::this_thread::sleep_for(50ms);
  }
  // The server closed the socket: a read finds the end of the stream (after the ping it sent),
  // not a live connection that merely has nothing to say.
  silent->set_timeout(2000ms);
  auto r = silent->read_text();
  ASSERT_FALSE(r) << "read " << *r;
  EXPECT_NE(r.error(), boost::beast::error::timeout) << r.error().message();
  EXPECT_GE(silent->pings(), 1u);
  EXPECT_TRUE(answers_ping(*chatty));
  auto metrics = http_get(port(), "/metrics");
  ASSERT_TRUE(metrics) << metrics.error().message();
  EXPECT_NE(metrics->body.find("\ntroupe_websockets_dropped_idle_total 1\n"), std::string::npos)
      << metrics->body;
}

// A long message trickling in counts as hearing the peer, piece by piece: a client that never
// reads (so never answers a ping) but sends one message as 20 frames over five idle timeouts is
// not dropped, and gets its echo.
TEST_F(keepalive_test, a_message_arriving_slowly_in_pieces_keeps_the_connection) {
  auto c = connect();
  const std::string text =
      json({{"type", "echo"}, {"id", "slow"}, {"payload", std::string(20'000, 's')}}).dump();
  constexpr std::size_t pieces = 20;
  const std::size_t step = text.size() / pieces + 1;
  for (std::size_t at = 0; at < text.size(); at += step) {
    const bool last = at + step >= text.size();
    ASSERT_TRUE(c->send_text_piece(std::string_view(text).substr(at, step), last)) << at;
    if (!last) std::this_thread::sleep_for(idle_timeout / 4);
  }
  auto echo = c->read_json();
  ASSERT_TRUE(echo) << echo.error().message();
  EXPECT_EQ((*echo)["id"], "slow");
  EXPECT_EQ((*echo)["payload"].get<std::string>().size(), 20'000u);
}

}  // namespace
}  // namespace troupe::it
