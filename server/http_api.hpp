#pragma once
// http_api: the HTTP side of troupe — health, node info, counters, rooms, publishing, metrics
// and the static browser client. Every body is JSON (errors: {"error":{"code","message"}})
// except /metrics (Prometheus text) and the static files.
// Runs on the calling connection's strand; all it touches beyond the request is thread-safe.
#include "server/server_context.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>

namespace troupe {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;

// Answers one request (not a WebSocket upgrade). Never throws for bad input: it answers 4xx.
boost::asio::awaitable<http_response> handle_http(server_context& ctx, const http_request& req);

// The path (and query) of a request target: an absolute-form target ("http://host/path", as sent
// to proxies, which RFC 7230 5.3.2 says a server must accept too) without its scheme and host.
std::string_view origin_form(std::string_view target);

// 400 for a request without the one Host header RFC 7230 5.4 asks for (none in HTTP/1.1, or
// more than one); nullopt if its Host is fine. Closes the connection: such a request may be
// an attempt to make this server and a proxy in front of it see different requests.
std::optional<http_response> refuse_host(const http_request& req);

// 403 for a request from a web page server.allowed_origins does not admit (its Origin header);
// nullopt if it may go ahead. Asked of WebSocket upgrades and of requests that change state.
std::optional<http_response> refuse_origin(const http_request& req, const origin_policy& origins);

// A JSON error response; also used for 503 at the connection limit and 413 for big bodies.
http_response http_error(boost::beast::http::status status, std::string_view code,
                         std::string_view message, unsigned version = 11, bool keep_alive = false);

}  // namespace troupe
