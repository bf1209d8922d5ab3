#pragma once
// http_client: one HTTP/1.1 request to a troupe server on 127.0.0.1, with a deadline on the whole
// exchange. Each call opens its own connection (Connection: close) on a private io_context.
// Threads: any thread; calls share nothing.
#include "actors/runtime/result.hpp"

#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace troupe::it {

struct http_reply {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  // The header's value, or "" when absent. `name` in lower case.
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct http_request_spec {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string target = "/";  // sent verbatim, so it may hold "..", "%2e" or "//"
  std::string body;
  bool send_body = false;  // also send an empty body with Content-Length: 0
  std::string content_type = "application/json";
};

// Sends the request and reads the whole response; beast::error::timeout after `limit`.
result<http_reply> http_call(std::uint16_t port, const http_request_spec& spec,
                             std::chrono::milliseconds limit = std::chrono::seconds(5));

inline result<http_reply> http_get(std::uint16_t port, std::string target) {
  return http_call(port, {boost::beast::http::verb::get, std::move(target), {}, false, {}});
}

inline result<http_reply> http_post(std::uint16_t port, std::string target, std::string body) {
  return http_call(port, {boost::beast::http::verb::post, std::move(target), std::move(body), true,
                          "application/json"});
}

}  // namespace troupe::it
