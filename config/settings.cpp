#include "config/settings.hpp"

#include "config/origin_policy.hpp"

#include "server/protocol/json_describe.hpp"
#include "server/protocol/names.hpp"

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <charconv>
#include <concepts>
#include <limits>
#include <vector>

namespace troupe {
namespace {

using std::chrono::milliseconds;

constexpr std::int64_t one_day_ms = 24LL * 60 * 60 * 1000;
constexpr std::int64_t max_size = std::int64_t{1} << 30;  // sizes beyond this are typos

constexpr std::array<std::string_view, 7> log_levels = {"trace", "debug",    "info", "warn",
                                                        "error", "critical", "off"};
constexpr std::array<std::string_view, 2> log_formats = {"text", "json"};
constexpr std::array<std::string_view, 2> send_batching_modes = {"auto", "off"};

template <std::integral T>
void store(T& field, std::int64_t v) {
  field = static_cast<T>(v);
}
void store(milliseconds& field, std::int64_t v) {
  field = milliseconds(v);
}

template <std::integral T>
std::int64_t load(T field) {
  return static_cast<std::int64_t>(field);
}
std::int64_t load(milliseconds field) {
  return field.count();
}

// A row for an integer field `(cfg.*Section).*Field`.
template <auto Section, auto Field>
setting integer(std::string_view section, std::string_view key, std::string_view flag,
                std::string_view env, std::string_view meaning, std::int64_t min,
                std::int64_t max) {
  setting s{.section = section,
            .key = key,
            .flag = flag,
            .env = env,
            .value_name = "N",
            .meaning = meaning,
            .kind = setting_kind::integer,
            .min = min,
            .max = max};
  s.set_integer = [](config& cfg, std::int64_t v) { store((cfg.*Section).*Field, v); };
  s.get_integer = [](const config& cfg) { return load((cfg.*Section).*Field); };
  return s;
}

// A row for a std::string field.
template <auto Section, auto Field>
setting text(std::string_view section, std::string_view key, std::string_view flag,
             std::string_view env, std::string_view value_name, std::string_view meaning,
             std::int64_t min_length) {
  setting s{.section = section,
            .key = key,
            .flag = flag,
            .env = env,
            .value_name = value_name,
            .meaning = meaning,
            .kind = setting_kind::string,
            .min = min_length};
  s.set_text = [](config& cfg, std::string_view v) { (cfg.*Section).*Field = std::string(v); };
  s.get_text = [](const config& cfg) { return (cfg.*Section).*Field; };
  return s;
}

std::vector<setting> make_table() {
  using c = config;
  std::vector<setting> t;
  auto host = text<&c::server, &server_settings::host>("server", "host", "--host", "TROUPE_HOST",
                                                       "HOST", "address to listen on", 1);
  host.kind = setting_kind::address;
  t.push_back(std::move(host));
  t.push_back(integer<&c::server, &server_settings::port>("server", "port", "--port", "TROUPE_PORT",
                                                          "TCP port to listen on", 1, 65535));
  t.push_back(integer<&c::server, &server_settings::threads>(
      "server", "threads", "--threads", "TROUPE_THREADS",
      "io threads, each with its own io_context, running sessions and actors; 0 = one per "
      "hardware thread",
      0, 1024));
  {
    setting batching{.section = "server",
                     .key = "send_batching",
                     .flag = "--send-batching",
                     .env = "TROUPE_SEND_BATCHING",
                     .value_name = "MODE",
                     .meaning =
                         "auto: each io thread's socket writes of a pass go in one io_uring "
                         "submission where the kernel allows it; off: a system call each",
                     .kind = setting_kind::choice,
                     .choices = send_batching_modes};
    batching.set_text = [](config& cfg, std::string_view v) {
      cfg.server.batch_sends = v == "auto";
    };
    batching.get_text = [](const config& cfg) {
      return std::string(cfg.server.batch_sends ? "auto" : "off");
    };
    t.push_back(batching);
  }
  t.push_back(text<&c::server, &server_settings::web_root>(
      "server", "web_root", "--web-root", "TROUPE_WEB_ROOT", "DIR",
      "directory of the static files served over HTTP", 1));
  {
    setting origins = text<&c::server, &server_settings::allowed_origins>(
        "server", "allowed_origins", "--allowed-origins", "TROUPE_ALLOWED_ORIGINS", "ORIGINS",
        "web pages, by their Origin header, that may open a WebSocket or post: * for any, else "
        "those listed and this server's own (self); clients that send no Origin (wscat, curl) "
        "always may",
        0);
    origins.kind = setting_kind::origins;
    t.push_back(std::move(origins));
  }
  t.push_back(integer<&c::server, &server_settings::max_connections>(
      "server", "max_connections", "--max-connections", "TROUPE_MAX_CONNECTIONS",
      "connections accepted at once; more are refused", 1, 10'000'000));
  t.push_back(integer<&c::server, &server_settings::handshake_timeout_ms>(
      "server", "handshake_timeout_ms", "--handshake-timeout-ms", "TROUPE_HANDSHAKE_TIMEOUT_MS",
      "time allowed to read an HTTP request and finish a WebSocket upgrade", 1, one_day_ms));
  t.push_back(integer<&c::server, &server_settings::idle_timeout_ms>(
      "server", "idle_timeout_ms", "--idle-timeout-ms", "TROUPE_IDLE_TIMEOUT_MS",
      "a WebSocket that receives nothing for this long is closed; a ping is sent halfway", 1,
      one_day_ms));
  {
    setting id = text<&c::node, &node_settings::id>(
        "node", "id", "--node-id", "TROUPE_NODE_ID", "ID",
        "this node's name in welcome frames and /api/node; empty = host name:port", 0);
    id.kind = setting_kind::name;
    t.push_back(std::move(id));
  }
  {
    setting level = text<&c::log, &log_settings::level>(
        "log", "level", "--log-level", "TROUPE_LOG_LEVEL", "LEVEL", "least severe level logged", 1);
    level.kind = setting_kind::choice;
    level.choices = log_levels;
    t.push_back(level);
  }
  {
    setting format{.section = "log",
                   .key = "format",
                   .flag = "--log-format",
                   .env = "TROUPE_LOG_FORMAT",
                   .value_name = "FORMAT",
                   .meaning = "text for people, json for one JSON object per line",
                   .kind = setting_kind::choice,
                   .choices = log_formats};
    format.set_text = [](config& cfg, std::string_view v) {
      cfg.log.format = v == "json" ? log_format::json : log_format::text;
    };
    format.get_text = [](const config& cfg) {
      return std::string(cfg.log.format == log_format::json ? "json" : "text");
    };
    t.push_back(format);
  }
  t.push_back(integer<&c::limits, &limit_settings::max_message_bytes>(
      "limits", "max_message_bytes", "--max-message-bytes", "TROUPE_MAX_MESSAGE_BYTES",
      "largest WebSocket message accepted; a bigger one closes the connection", 1, max_size));
  t.push_back(integer<&c::limits, &limit_settings::max_text_bytes>(
      "limits", "max_text_bytes", "--max-text-bytes", "TROUPE_MAX_TEXT_BYTES",
      "largest room.say text (bytes of UTF-8); at most max_message_bytes", 1, max_size));
  t.push_back(integer<&c::limits, &limit_settings::outbound_queue>(
      "limits", "outbound_queue", "--outbound-queue", "TROUPE_OUTBOUND_QUEUE",
      "frames queued per session before it counts as overloaded", 1, max_size));
  t.push_back(integer<&c::limits, &limit_settings::outbound_bytes>(
      "limits", "outbound_bytes", "--outbound-bytes", "TROUPE_OUTBOUND_BYTES",
      "bytes of frames queued per session before it counts as overloaded (a single larger frame "
      "still goes out)",
      1, max_size));
  t.push_back(integer<&c::limits, &limit_settings::ask_timeout_ms>(
      "limits", "ask_timeout_ms", "--ask-timeout-ms", "TROUPE_ASK_TIMEOUT_MS",
      "how long a request waits for an actor's reply before a timeout error", 1, one_day_ms));
  t.push_back(integer<&c::limits, &limit_settings::max_rooms>(
      "limits", "max_rooms", "--max-rooms", "TROUPE_MAX_ROOMS",
      "rooms open at once (a new one beyond gets a limit error), and rooms whose messages are "
      "kept (a new one beyond forgets the least recently used)",
      1, max_size));
  t.push_back(integer<&c::limits, &limit_settings::max_counters>(
      "limits", "max_counters", "--max-counters", "TROUPE_MAX_COUNTERS",
      "counters open at once (a new one beyond gets a limit error), and counters whose values are "
      "kept (a new one beyond forgets the least recently used)",
      1, max_size));
  t.push_back(integer<&c::limits, &limit_settings::max_subscriptions>(
      "limits", "max_subscriptions", "--max-subscriptions", "TROUPE_MAX_SUBSCRIPTIONS",
      "rooms a session may have joined plus counters it may watch; one more gets a limit error", 1,
      max_size));
  t.push_back(integer<&c::actors, &actor_settings::mailbox_capacity>(
      "actors", "mailbox_capacity", "--mailbox-capacity", "TROUPE_MAILBOX_CAPACITY",
      "messages the mailbox of a room, counter or worker holds (a session's: as many messages of "
      "limits.max_message_bytes as fit in limits.outbound_bytes, from 1 to 256, 64 by default); "
      "beyond it senders get overloaded",
      1, max_size));
  t.push_back(integer<&c::rooms, &room_settings::history>(
      "rooms", "history", "--room-history", "TROUPE_ROOM_HISTORY",
      "messages each room keeps for room.joined and room.history", 1, max_size));
  t.push_back(integer<&c::rooms, &room_settings::idle_ms>(
      "rooms", "idle_ms", "--room-idle-ms", "TROUPE_ROOM_IDLE_MS",
      "an empty room's actor, or a counter's, passivates (stops) after this long idle", 1,
      one_day_ms));
  t.push_back(integer<&c::workers, &worker_settings::echo>(
      "workers", "echo", "--echo-workers", "TROUPE_ECHO_WORKERS",
      "echo worker actors in the pool; 0 = one per io thread", 0, 1024));
  t.push_back(integer<&c::shutdown, &shutdown_settings::grace_ms>(
      "shutdown", "grace_ms", "--shutdown-grace-ms", "TROUPE_SHUTDOWN_GRACE_MS",
      "on SIGTERM/SIGINT, time sessions get to close before they are cut; 0 = cut at once", 0,
      one_day_ms));
  return t;
}

}  // namespace

std::span<const setting> settings() {
  static const std::vector<setting> table = make_table();
  return table;
}

std::string in_quotes(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  for (const char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[byte >> 4];
      out += hex[byte & 0xf];
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

namespace {
bool is_ip_address(std::string_view text) {
  const std::string s(text);  // inet_pton wants a terminated string
  unsigned char bytes[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, s.c_str(), bytes) == 1 ||
         ::inet_pton(AF_INET6, s.c_str(), bytes) == 1;
}
}  // namespace

std::string setting::path() const {
  return std::string(section) + "." + std::string(key);
}

std::string setting::expected() const {
  switch (kind) {
    case setting_kind::integer:
      return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    case setting_kind::string:
      return min > 0 ? "a non-empty string" : "a string";
    case setting_kind::name:
      return std::string(min > 0 ? "a non-empty string" : "a string") +
             " of UTF-8 text without control characters";
    case setting_kind::address:
      return "an IPv4 or IPv6 address such as 0.0.0.0, 127.0.0.1 or ::";
    case setting_kind::origins:
      return "* (any page), self (this server's own pages only) or origins separated by commas, "
             "such as https://chat.example.com,http://localhost:3000";
    case setting_kind::choice: {
      std::string s = "one of";
      for (std::size_t i = 0; i < choices.size(); ++i) {
        s += (i == 0 ? " " : ", ");
        s += choices[i];
      }
      return s;
    }
  }
  return {};
}

std::optional<std::string> setting::assign_text(config& cfg, std::string_view text) const {
  const auto wrong = [&] { return "must be " + expected() + ", got " + in_quotes(text); };
  switch (kind) {
    case setting_kind::integer: {
      std::int64_t v = 0;
      const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.empty() || r.ec != std::errc{} || r.ptr != text.data() + text.size() || v < min ||
          v > max) {
        return wrong();
      }
      set_integer(cfg, v);
      return std::nullopt;
    }
    case setting_kind::name:
      if (!protocol::printable_text(text)) return wrong();
      [[fallthrough]];
    case setting_kind::string:
      if (static_cast<std::int64_t>(text.size()) < min) return wrong();
      set_text(cfg, text);
      return std::nullopt;
    case setting_kind::address:
      if (!is_ip_address(text)) return wrong();
      set_text(cfg, text);
      return std::nullopt;
    case setting_kind::origins: {
      const auto parsed = origin_policy::parse(text);
      if (const auto* problem = std::get_if<std::string>(&parsed))
        return "must be " + expected() + ": " + *problem;
      set_text(cfg, text);
      return std::nullopt;
    }
    case setting_kind::choice:
      for (auto choice : choices) {
        if (choice == text) {
          set_text(cfg, text);
          return std::nullopt;
        }
      }
      return wrong();
  }
  return wrong();
}

std::optional<std::string> setting::assign_json(config& cfg, const nlohmann::json& value) const {
  if (kind == setting_kind::integer) {
    const bool in_range = (value.is_number_unsigned() &&
                           value.get<std::uint64_t>() <= static_cast<std::uint64_t>(max) &&
                           static_cast<std::int64_t>(value.get<std::uint64_t>()) >= min) ||
                          (value.is_number_integer() && !value.is_number_unsigned() &&
                           value.get<std::int64_t>() >= min && value.get<std::int64_t>() <= max);
    if (!in_range) {
      return "must be " + expected() + ", got " +
             (value.is_number_integer() ? value.dump() : std::string(protocol::describe(value)));
    }
    set_integer(cfg, value.get<std::int64_t>());
    return std::nullopt;
  }
  if (kind == setting_kind::origins && value.is_array()) {  // the list as JSON: ["https://a", ...]
    std::string list;
    for (const auto& entry : value) {
      if (!entry.is_string())
        return "must be " + expected() + " (or an array of them), got an array holding " +
               std::string(protocol::describe(entry));
      const auto& origin = entry.get_ref<const std::string&>();
      if (origin.empty() || origin.find(',') != std::string::npos)
        return "must be an array of single origins, got " + in_quotes(origin) + " in it";
      if (&entry != &value.front()) list += ", ";
      list += origin;
    }
    return assign_text(cfg, list);
  }
  if (!value.is_string())
    return "must be " + expected() + ", got " + std::string(protocol::describe(value));
  return assign_text(cfg, value.get_ref<const std::string&>());
}

nlohmann::json setting::value(const config& cfg) const {
  if (kind == setting_kind::integer) return get_integer(cfg);
  return get_text(cfg);
}

}  // namespace troupe
