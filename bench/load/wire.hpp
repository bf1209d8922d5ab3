#pragma once
// wire: the frames troupe_load sends, and a top-level field scanner for the frames it receives,
// for both targets. Pure functions; thread-safe.
//
// Target protocols:
//   troupe    JSON text frames (docs/protocol): echo, counter.inc, room.join/say/leave; it opens
//             every connection with {"type":"welcome"}.
//   baseline  baseline_echo returns every frame verbatim, so request frames are the same JSON
//             and the reply carries the request's type and id. baseline_broadcast takes a
//             first frame naming the room (and echoes it as the join acknowledgement); every
//             later frame is sent verbatim to each member of that room, the sender included.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace troupe::load {

enum class target_kind { troupe, baseline };

std::string echo_request(std::uint64_t id, std::string_view payload);
std::string counter_inc_request(std::uint64_t id, std::string_view counter);
std::string room_join_request(target_kind target, std::uint64_t id, std::string_view room,
                              std::string_view name);
std::string room_leave_request(std::uint64_t id, std::string_view room);
std::string room_say_request(std::string_view room, std::string_view text);

// Room, member and counter names: prefix + number ("r3", "m17").
std::string numbered(std::string_view prefix, std::uint64_t n);

// The reply type each target uses for a request type.
std::string_view echo_reply_type(target_kind target);
std::string_view counter_reply_type(target_kind target);
// The type of a frame that carries a room broadcast to a member.
std::string_view room_message_type(target_kind target);

// The top-level fields troupe_load looks at. Views point into the scanned frame. A string
// value is returned raw (escape sequences are not decoded: the load tool only sends ASCII).
struct frame_fields {
  bool valid = false;  // a JSON object whose top level scanned cleanly
  std::string_view type;
  std::optional<std::uint64_t> id;
  std::string_view text;
  std::optional<std::string_view> payload;  // a string "payload" (an echo's), raw
};

// Walks the top-level keys of a JSON object, skipping nested objects, arrays and strings, so
// a nested "id" (e.g. inside "from") is never mistaken for the request id.
frame_fields scan_frame(std::string_view frame) noexcept;

// Broadcast message text: "<publisher> <seq> <intended send time, steady-clock ns>".
struct stamp {
  std::uint32_t publisher = 0;
  std::uint64_t seq = 0;
  std::int64_t sent_ns = 0;
};
std::string format_stamp(const stamp& s);
std::optional<stamp> parse_stamp(std::string_view text) noexcept;

}  // namespace troupe::load
