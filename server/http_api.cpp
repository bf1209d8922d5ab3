#include "server/http_api.hpp"

#include "config/settings.hpp"
#include "server/protocol/encode.hpp"
#include "server/protocol/names.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/version.hpp>
#include <nlohmann/json.hpp>

#include <charconv>
#include <map>
#include <string_view>
#include <vector>

namespace troupe {
namespace http = boost::beast::http;
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A path segment with its %XX escapes decoded (RFC 3986 2.1: "hi%74s" is "hits"); a malformed
// escape stays as it is, and fails any name check.
std::string percent_decoded(std::string_view segment) {
  std::string out;
  out.reserve(segment.size());
  for (std::size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '%' && i + 2 < segment.size()) {
      const int high = hex_digit(segment[i + 1]);
      const int low = hex_digit(segment[i + 2]);
      if (high >= 0 && low >= 0) {
        out += static_cast<char>(high * 16 + low);
        i += 2;
        continue;
      }
    }
    out += segment[i];
  }
  return out;
}

// The path's segments, decoded.
std::vector<std::string> split_path(std::string_view target) {
  target = target.substr(0, target.find('?'));
  std::vector<std::string> parts;
  std::size_t pos = 0;
  while (pos < target.size()) {
    if (target[pos] == '/') {
      ++pos;
      continue;
    }
    auto end = target.find('/', pos);
    if (end == std::string_view::npos) end = target.size();
    parts.push_back(percent_decoded(target.substr(pos, end - pos)));
    pos = end;
  }
  return parts;
}

http_response json_response(const http_request& req, std::string body,
                            http::status status = http::status::ok) {
  http_response res{status, req.version()};
  res.set(http::field::server, "troupe");
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

http_response error_for(const http_request& req, http::status status, std::string_view code,
                        std::string_view msg) {
  return http_error(status, code, msg, req.version(), req.keep_alive());
}

http_response method_not_allowed(const http_request& req, std::string_view allow) {
  auto res = error_for(
      req, http::status::method_not_allowed, "method_not_allowed",
      fmt::format("{} {} is not allowed; allowed: {}", std::string_view(req.method_string()),
                  std::string_view(req.target()), allow));
  res.set(http::field::allow, allow);
  return res;
}

// GET or HEAD: what every endpoint but the two POST ones allows.
bool reads(const http_request& req) {
  return req.method() == http::verb::get || req.method() == http::verb::head;
}

http_response ask_failed(const http_request& req, boost::system::error_code ec,
                         std::string_view what) {
  if (ec == actor_errc::timeout || ec == actor_errc::deadlock)
    return error_for(req, http::status::gateway_timeout, "timeout",
                     fmt::format("{} did not answer in time", what));
  if (ec == actor_errc::too_many)
    return error_for(req, http::status::service_unavailable, "limit", not_opened_message(what));
  return error_for(req, http::status::service_unavailable, "overloaded",
                   fmt::format("{} is unavailable ({}); try again", what, ec.message()));
}

// Why a request body was refused: bad_json if it does not parse, bad_request if it is not an
// object (as for a WebSocket frame).
struct body_error {
  std::string_view code;
  std::string message;
};

// A request body that must be a JSON object, or empty when `empty_ok`.
std::optional<nlohmann::json> body_object(const http_request& req, bool empty_ok,
                                          body_error& error) {
  const auto& body = req.body();
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (empty_ok) return nlohmann::json::object();
    error = {"bad_json", "the body is empty: it must be a JSON object"};
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) {
    error = {"bad_json", "the body is not valid JSON"};
    return std::nullopt;
  }
  if (!j.is_object()) {
    error = {"bad_request", "the body must be a JSON object"};
    return std::nullopt;
  }
  return j;
}

std::string counter_body(std::string_view name, std::int64_t value) {
  return nlohmann::json{{"counter", name}, {"value", value}}.dump();
}

nlohmann::json members_json(const std::vector<room_member>& members) {
  auto out = nlohmann::json::array();
  for (const auto& m : members)
    out.push_back(
        {{"session", m.session.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.session)},
         {"name", m.name}});
  return out;
}

boost::asio::awaitable<http_response> counters(server_context& ctx, const http_request& req,
                                               std::string_view name, bool inc) {
  // The method first, as for rooms: a 405 is about the endpoint, whatever the name.
  if (inc && req.method() != http::verb::post) co_return method_not_allowed(req, "POST");
  if (!inc && !reads(req)) co_return method_not_allowed(req, "GET, HEAD");
  if (inc) {
    if (auto foreign = refuse_origin(req, ctx.settings.origins)) co_return std::move(*foreign);
  }
  if (!protocol::valid_name(name))
    co_return error_for(req, http::status::bad_request, "bad_request",
                        "counter name must match ^[A-Za-z0-9._-]{1,64}$");
  const auto what = fmt::format("counter '{}'", name);
  if (!inc) {
    auto r = co_await ctx.dir.counter_value(std::string(name));
    if (!r) co_return ask_failed(req, r.error(), what);
    co_return json_response(req, counter_body(name, *r));
  }
  body_error error;
  auto body = body_object(req, /*empty_ok=*/true, error);
  if (!body) co_return error_for(req, http::status::bad_request, error.code, error.message);
  std::int64_t by = 1;
  if (auto it = body->find("by"); it != body->end()) {
    if (!it->is_number_integer())
      co_return error_for(req, http::status::bad_request, "bad_request",
                          "field 'by' must be a 64-bit integer");
    if (it->is_number_unsigned() &&
        it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
      co_return error_for(req, http::status::bad_request, "bad_request",
                          "field 'by' must be a 64-bit integer");
    by = it->get<std::int64_t>();
  }
  auto r = co_await ctx.dir.ask_counter(name, counter_actor::inc{by});
  if (!r) co_return ask_failed(req, r.error(), what);
  if (r->overflow)
    co_return error_for(
        req, http::status::bad_request, "bad_request",
        fmt::format("field 'by': counter '{}' at {} cannot change by {} without leaving the signed "
                    "64-bit range",
                    name, r->value, by));
  if (r->store_error)
    co_return error_for(req, http::status::service_unavailable, "unavailable",
                        store_failed_message(what, r->store_error));
  co_return json_response(req, counter_body(name, r->value));
}

// A listed room: what the store holds of it, and what its actor says when it runs.
struct room_row {
  std::string room;
  std::uint64_t last_seq = 0;
  std::size_t members = 0;
};

// Asks every running room among `rows` for its census at once, so that a listing of many rooms
// waits for the slowest of them (at most one ask timeout), not for the sum.
boost::asio::awaitable<void> take_censuses(server_context& ctx, std::vector<room_row>& rows) {
  namespace asio = boost::asio;
  using census_op = decltype(asio::co_spawn(
      std::declval<asio::any_io_executor>(),
      std::declval<actor_ref<room_actor>>().ask(room_actor::census{}), asio::deferred));
  const auto executor = co_await asio::this_coro::executor;
  std::vector<census_op> asks;
  std::vector<room_row*> asked;
  for (auto& row : rows) {
    if (auto live = ctx.dir.find_room(row.room)) {
      asks.push_back(asio::co_spawn(executor, live->ask(room_actor::census{}), asio::deferred));
      asked.push_back(&row);
    }
  }
  if (asks.empty()) co_return;
  auto [order, failures, replies] =
      co_await asio::experimental::make_parallel_group(std::move(asks))
          .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  for (std::size_t i = 0; i < replies.size(); ++i) {
    if (failures[i] || !replies[i]) continue;  // gone or silent: what the store says
    asked[i]->members = replies[i]->members;
    asked[i]->last_seq = replies[i]->last_seq;
  }
}

boost::asio::awaitable<http_response> room_list(server_context& ctx, const http_request& req) {
  if (!reads(req)) co_return method_not_allowed(req, "GET, HEAD");
  // Rooms with stored messages and rooms open now (perhaps with members but no messages yet).
  std::map<std::string, std::uint64_t> last_seqs;
  for (auto& listing : ctx.dir.env().store->list_rooms())
    last_seqs.emplace(std::move(listing.room), listing.last_seq);
  for (auto& open : ctx.dir.open_rooms()) last_seqs.emplace(std::move(open), 0);
  std::vector<room_row> rows;
  rows.reserve(last_seqs.size());
  for (auto& [room, last_seq] : last_seqs) rows.push_back({room, last_seq});
  co_await take_censuses(ctx, rows);
  auto rooms = nlohmann::json::array();
  for (const auto& row : rows)
    rooms.push_back({{"room", row.room}, {"members", row.members}, {"last_seq", row.last_seq}});
  co_return json_response(req, nlohmann::json{{"rooms", std::move(rooms)}}.dump());
}

boost::asio::awaitable<http_response> room_detail(server_context& ctx, const http_request& req,
                                                  std::string_view room) {
  if (!reads(req)) co_return method_not_allowed(req, "GET, HEAD");
  if (!protocol::valid_name(room))
    co_return error_for(req, http::status::bad_request, "bad_request",
                        "room name must match ^[A-Za-z0-9._-]{1,64}$");
  auto detail = co_await ctx.dir.room_detail(std::string(room));
  if (!detail)
    co_return error_for(req, http::status::not_found, "not_found",
                        fmt::format("no room '{}'", room));
  auto& r = *detail;
  if (!r) co_return ask_failed(req, r.error(), fmt::format("room '{}'", room));
  auto history = nlohmann::json::array();
  for (const auto& f : r->messages) history.push_back(nlohmann::json::parse(f->text()));
  co_return json_response(req, nlohmann::json{{"room", room},
                                              {"members", members_json(r->members)},
                                              {"history", std::move(history)},
                                              {"last_seq", r->last_seq},
                                              {"epoch", r->epoch}}
                                   .dump());
}

boost::asio::awaitable<http_response> room_publish(server_context& ctx, const http_request& req,
                                                   std::string_view room) {
  if (req.method() != http::verb::post) co_return method_not_allowed(req, "POST");
  if (auto foreign = refuse_origin(req, ctx.settings.origins)) co_return std::move(*foreign);
  if (!protocol::valid_name(room))
    co_return error_for(req, http::status::bad_request, "bad_request",
                        "room name must match ^[A-Za-z0-9._-]{1,64}$");
  body_error error;
  auto body = body_object(req, /*empty_ok=*/false, error);
  if (!body) co_return error_for(req, http::status::bad_request, error.code, error.message);
  auto text = body->find("text");
  if (text == body->end() || !text->is_string())
    co_return error_for(req, http::status::bad_request, "bad_request",
                        "field 'text' must be a string");
  if (text->get_ref<const std::string&>().size() > ctx.settings.max_text_bytes)
    co_return error_for(
        req, http::status::bad_request, "bad_request",
        fmt::format("field 'text' is longer than {} bytes", ctx.settings.max_text_bytes));
  auto name = body->find("name");
  if (name == body->end() || !name->is_string() ||
      !protocol::valid_display_name(name->get_ref<const std::string&>()))
    co_return error_for(
        req, http::status::bad_request, "bad_request",
        "field 'name' must be 1..32 characters of UTF-8 without control characters");
  // A separate statement: GCC 12 destroys by-value class temporaries of a co_await expression
  // twice.
  auto asked = ctx.dir.ask_room(
      room, room_actor::say{{"", name->get<std::string>()}, text->get<std::string>()});
  auto r = co_await std::move(asked);
  if (!r) co_return ask_failed(req, r.error(), fmt::format("room '{}'", room));
  if (!r->seq)  // an HTTP publisher is no member, so only the store can refuse it
    co_return error_for(req, http::status::service_unavailable, "unavailable",
                        store_failed_message(fmt::format("room '{}'", room), r->store_error));
  co_return json_response(req, nlohmann::json{{"seq", *r->seq}}.dump());
}

http_response node_info(server_context& ctx, const http_request& req) {
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                 ctx.started);
  return json_response(req, nlohmann::json{{"node", ctx.settings.node_id},
                                           {"version", ctx.settings.version},
                                           {"uptime_s", uptime.count()},
                                           {"connections", ctx.metrics.connections_current.load()},
                                           {"websockets", ctx.metrics.websockets_current.load()}}
                                .dump());
}

http_response static_file(server_context& ctx, const http_request& req, std::string_view path) {
  const auto* f = ctx.files.find(path.substr(0, path.find('?')));
  if (!f)
    return error_for(req, http::status::not_found, "not_found",
                     fmt::format("no resource at {}", path));
  if (!reads(req)) return method_not_allowed(req, "GET, HEAD");
  http_response res{http::status::ok, req.version()};
  res.set(http::field::server, "troupe");
  res.set(http::field::content_type, f->content_type);
  res.set(http::field::cache_control, "no-cache");
  res.keep_alive(req.keep_alive());
  res.body() = f->content;
  res.prepare_payload();
  return res;
}

}  // namespace

http_response http_error(http::status status, std::string_view code, std::string_view message,
                         unsigned version, bool keep_alive) {
  http_response res{status, version};
  res.set(http::field::server, "troupe");
  res.set(http::field::content_type, "application/json");
  res.keep_alive(keep_alive);
  res.body() = protocol::encode_http_error(code, message);
  res.prepare_payload();
  return res;
}

std::optional<http_response> refuse_host(const http_request& req) {
  const auto hosts = req.count(http::field::host);
  if (hosts > 1)
    return http_error(http::status::bad_request, "bad_request",
                      fmt::format("a request has one Host header, this one has {}", hosts),
                      req.version());
  if (hosts == 0 && req.version() >= 11)
    return http_error(http::status::bad_request, "bad_request",
                      "an HTTP/1.1 request needs a Host header", req.version());
  return std::nullopt;
}

namespace {

// Where an absolute-form target's host begins ("http://host/path": after "://"); npos for an
// origin-form target ("/path").
std::size_t authority_start(std::string_view target) {
  const auto scheme_end = target.find("://");
  if (target.empty() || target.front() == '/' || scheme_end == std::string_view::npos)
    return std::string_view::npos;
  return scheme_end + 3;
}

}  // namespace

std::optional<http_response> refuse_origin(const http_request& req, const origin_policy& origins) {
  // The host the request went to: an absolute-form target's authority wins over Host
  // (RFC 7230 5.4).
  std::string_view host = req[http::field::host];
  const std::string_view target = req.target();
  if (const auto at = authority_start(target); at != std::string_view::npos) {
    const auto authority = target.substr(at);
    host = authority.substr(0, authority.find_first_of("/?#"));
  }
  // Every Origin must be admitted: with two, the answer must not depend on their order.
  const auto [first, last] = req.equal_range(http::field::origin);
  for (auto field = first; field != last; ++field) {
    const auto origin = field->value();
    if (origins.admits(origin, host)) continue;
    return http_error(http::status::forbidden, "origin_not_allowed",
                      fmt::format("a page from {} may not use this server (server.allowed_origins)",
                                  in_quotes(origin)),
                      req.version());
  }
  return std::nullopt;
}

std::string_view origin_form(std::string_view target) {
  const auto at = authority_start(target);
  if (at == std::string_view::npos) return target;
  const auto path = target.find('/', at);
  return path == std::string_view::npos ? std::string_view("/") : target.substr(path);
}

namespace {

boost::asio::awaitable<http_response> route(server_context& ctx, const http_request& req) {
  if (auto bad_host = refuse_host(req)) co_return std::move(*bad_host);
  const std::string_view target = origin_form(req.target());
  const auto parts = split_path(target);
  const bool get = reads(req);
  http_response res;
  if (parts.size() == 1 && parts[0] == "healthz") {
    res = get ? json_response(req, R"({"status":"ok"})") : method_not_allowed(req, "GET, HEAD");
  } else if (parts.size() == 1 && parts[0] == "metrics") {
    if (!get) {
      res = method_not_allowed(req, "GET, HEAD");
    } else {
      res = json_response(req, render_prometheus(ctx.metrics, ctx.system, *ctx.dir.env().store));
      res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    }
  } else if (!parts.empty() && parts[0] == "api") {
    if (parts.size() == 2 && parts[1] == "node") {
      res = get ? node_info(ctx, req) : method_not_allowed(req, "GET, HEAD");
    } else if (parts.size() == 3 && parts[1] == "counters") {
      res = co_await counters(ctx, req, parts[2], false);
    } else if (parts.size() == 4 && parts[1] == "counters" && parts[3] == "inc") {
      res = co_await counters(ctx, req, parts[2], true);
    } else if (parts.size() == 2 && parts[1] == "rooms") {
      res = co_await room_list(ctx, req);
    } else if (parts.size() == 3 && parts[1] == "rooms") {
      res = co_await room_detail(ctx, req, parts[2]);
    } else if (parts.size() == 4 && parts[1] == "rooms" && parts[3] == "messages") {
      res = co_await room_publish(ctx, req, parts[2]);
    } else {
      res = error_for(req, http::status::not_found, "not_found",
                      fmt::format("no API endpoint at {}", target));
    }
  } else if (parts.size() == 1 && parts[0] == "ws" && req.method() != http::verb::get) {
    res = method_not_allowed(req, "GET");  // a WebSocket handshake is a GET
  } else if (parts.size() == 1 && parts[0] == "ws") {
    res = error_for(req, http::status::upgrade_required, "upgrade_required",
                    "/ws speaks WebSocket: send an Upgrade: websocket request");
    res.set(http::field::upgrade, "websocket");  // RFC 7231 6.5.15: a 426 names the protocol
  } else {
    res = static_file(ctx, req, target);
  }
  co_return res;
}

}  // namespace

boost::asio::awaitable<http_response> handle_http(server_context& ctx, const http_request& req) {
  ctx.metrics.http_requests.fetch_add(1, std::memory_order_relaxed);
  auto res = co_await route(ctx, req);
  if (req.method() == http::verb::head) {  // every answer, errors too, as for GET but no body
    res.content_length(res.body().size());
    res.body().clear();
  }
  co_return res;
}

}  // namespace troupe
