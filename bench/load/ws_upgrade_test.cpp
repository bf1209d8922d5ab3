#include "bench/load/ws_upgrade.hpp"

#include <gtest/gtest.h>
#include <boost/beast/websocket/error.hpp>

namespace troupe::load {
namespace {

using ws_error = boost::beast::websocket::error;

TEST(WsUpgrade, RequestAsksForAWebSocketWithTheRfcKey) {
  const std::string r = upgrade_request("127.0.0.1:9000", "/ws");
  EXPECT_TRUE(r.starts_with("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:9000\r\n"));
  EXPECT_NE(r.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
  EXPECT_NE(r.find("\r\nConnection: Upgrade\r\n"), std::string::npos);
  EXPECT_NE(r.find("\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"), std::string::npos);
  EXPECT_NE(r.find("\r\nSec-WebSocket-Version: 13\r\n"), std::string::npos);
  EXPECT_TRUE(r.ends_with("\r\n\r\n"));
}

TEST(WsUpgrade, FindsTheEndOfTheHead) {
  EXPECT_EQ(response_head_size("HTTP/1.1 101 Switching Protocols\r\n"), 0u);
  EXPECT_EQ(response_head_size("HTTP/1.1 101 X\r\n\r\n\x81\x01x"), 18u);
}

TEST(WsUpgrade, AcceptsA101WithTheRightAccept) {
  EXPECT_FALSE(check_upgrade_response(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
      "sec-websocket-accept:  s3pPLMBiTxaQ9kYGzzhZRbK+xOo= \r\nServer: x\r\n\r\n"));
}

TEST(WsUpgrade, RefusesOtherResponses) {
  EXPECT_EQ(check_upgrade_response("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
            ws_error::upgrade_declined);
  EXPECT_EQ(check_upgrade_response("HTTP/1.1 1010 X\r\n\r\n"), ws_error::upgrade_declined);
  EXPECT_EQ(check_upgrade_response("HTTP/1.0 101 X\r\n\r\n"), ws_error::bad_http_version);
  EXPECT_EQ(check_upgrade_response("HTTP/1.1 101 X\r\nUpgrade: websocket\r\n\r\n"),
            ws_error::no_sec_accept);
  EXPECT_EQ(check_upgrade_response("HTTP/1.1 101 X\r\nSec-WebSocket-Accept: nope\r\n\r\n"),
            ws_error::bad_sec_accept);
}

}  // namespace
}  // namespace troupe::load
