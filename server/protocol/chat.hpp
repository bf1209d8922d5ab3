#pragma once
// Room members and chat messages as the server sends them (room.joined, room.message,
// room.presence). Plain values.
#include <cstdint>
#include <string>

namespace troupe::protocol {

struct member {
  std::string session;  // empty for messages published over HTTP: encoded as JSON null
  std::string name;     // display name

  friend bool operator==(const member&, const member&) = default;
};

struct chat_message {
  std::string room;
  std::uint64_t seq = 0;  // per room, increasing
  member from;
  std::string text;
  std::int64_t ts_ms = 0;  // Unix time in milliseconds

  friend bool operator==(const chat_message&, const chat_message&) = default;
};

}  // namespace troupe::protocol
