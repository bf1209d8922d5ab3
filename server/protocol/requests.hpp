#pragma once
// The requests of protocol v1, one struct per client message `type`, as decode() produces them.
// Plain values; every name and text in them has already been validated. Each names its wire
// `type` in `wire_type`.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace troupe::protocol {

// The client's `id`, exactly as sent (a JSON string or integer); empty when the client sent none.
// Every reply to the request carries it back.
using request_id = std::optional<nlohmann::json>;

struct counter_inc {
  static constexpr std::string_view wire_type = "counter.inc";
  std::string counter;
  std::int64_t by = 1;
  friend bool operator==(const counter_inc&, const counter_inc&) = default;
};
struct counter_get {
  static constexpr std::string_view wire_type = "counter.get";
  std::string counter;
  friend bool operator==(const counter_get&, const counter_get&) = default;
};
struct counter_watch {
  static constexpr std::string_view wire_type = "counter.watch";
  std::string counter;
  friend bool operator==(const counter_watch&, const counter_watch&) = default;
};
struct counter_unwatch {
  static constexpr std::string_view wire_type = "counter.unwatch";
  std::string counter;
  friend bool operator==(const counter_unwatch&, const counter_unwatch&) = default;
};
struct room_join {
  static constexpr std::string_view wire_type = "room.join";
  std::string room;
  std::string name;  // display name
  friend bool operator==(const room_join&, const room_join&) = default;
};
struct room_say {
  static constexpr std::string_view wire_type = "room.say";
  std::string room;
  std::string text;
  friend bool operator==(const room_say&, const room_say&) = default;
};
struct room_history {
  static constexpr std::string_view wire_type = "room.history";
  std::string room;
  std::uint64_t since = 0;
  friend bool operator==(const room_history&, const room_history&) = default;
};
struct room_leave {
  static constexpr std::string_view wire_type = "room.leave";
  std::string room;
  friend bool operator==(const room_leave&, const room_leave&) = default;
};
struct echo {
  static constexpr std::string_view wire_type = "echo";
  nlohmann::json payload;
  friend bool operator==(const echo&, const echo&) = default;
};
struct ping {
  static constexpr std::string_view wire_type = "ping";
  friend bool operator==(const ping&, const ping&) = default;
};

using request = std::variant<counter_inc, counter_get, counter_watch, counter_unwatch, room_join,
                             room_say, room_history, room_leave, echo, ping>;

// The wire `type` of a request ("counter.inc", ...), e.g. for logs and metrics.
inline std::string_view type_name(const request& r) noexcept {
  return std::visit([](const auto& body) { return std::decay_t<decltype(body)>::wire_type; }, r);
}

}  // namespace troupe::protocol
