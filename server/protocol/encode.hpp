#pragma once
// Encoders: each returns the complete JSON text of one server frame. Built by hand (no JSON DOM)
// except echo's payload; compact, with "type" first and "id" only when the request had one.
// Pure; thread-safe. Strings given as std::string_view may hold any bytes: they are escaped, and
// ill-formed UTF-8 becomes U+FFFD, so the output is always valid JSON text.
#include "server/protocol/chat.hpp"
#include "server/protocol/decode.hpp"
#include "server/protocol/errors.hpp"
#include "server/protocol/requests.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace troupe::protocol {

inline constexpr int protocol_version = 1;

// Every text is returned with this much spare capacity, the most a WebSocket frame header
// takes, so the server can frame it in place (actors/frame) without a second allocation.
inline constexpr std::size_t frame_header_room = 10;

// {"type":"welcome","session":..,"node":..,"protocol":1}: the first frame of every connection.
std::string encode_welcome(std::string_view session, std::string_view node);

// {"type":"counter.value","id":..,"counter":..,"value":..}; also pushed to watchers (no id).
std::string encode_counter_value(const request_id& id, std::string_view counter,
                                 std::int64_t value);

// {"type":"ok","id":..} or, with a seq (room.say), {"type":"ok","id":..,"seq":..}.
std::string encode_ok(const request_id& id, std::optional<std::uint64_t> seq = std::nullopt);

// {"type":"room.message","room":..,"seq":..,"from":{"session":..|null,"name":..},"text":..,"ts":..}
// Broadcast, so no id. Encode once per message and keep the text: room.joined and room.history
// splice it in verbatim.
std::string encode_room_message(const chat_message& message);

// {"type":"room.joined","id":..,"room":..,"members":[..],"history":[..],"last_seq":..,"epoch":..}
// history_encoded: texts from encode_room_message, spliced in unchanged.
std::string encode_room_joined(const request_id& id, std::string_view room,
                               std::span<const member> members,
                               std::span<const std::string_view> history_encoded,
                               std::uint64_t last_seq, std::string_view epoch);
std::string encode_room_joined(const request_id& id, std::string_view room,
                               std::span<const member> members,
                               std::span<const std::string> history_encoded, std::uint64_t last_seq,
                               std::string_view epoch);

// {"type":"room.history","id":..,"room":..,"messages":[..],"last_seq":..,"epoch":..}
std::string encode_room_history(const request_id& id, std::string_view room,
                                std::span<const std::string_view> messages_encoded,
                                std::uint64_t last_seq, std::string_view epoch);
std::string encode_room_history(const request_id& id, std::string_view room,
                                std::span<const std::string> messages_encoded,
                                std::uint64_t last_seq, std::string_view epoch);

// {"type":"room.presence","room":..,"event":"join"|"leave","member":{"session":..,"name":..}}
std::string encode_room_presence(std::string_view room, std::string_view event, const member& who);

// {"type":"echo","id":..,"payload":<payload>,"worker":..}
std::string encode_echo(const request_id& id, const nlohmann::json& payload, std::size_t worker);

// {"type":"pong","id":..}
std::string encode_pong(const request_id& id);

// {"type":"error","id":..,"code":..,"message":..}
std::string encode_error(const request_id& id, error_code code, std::string_view message);
// The reply to a frame decode() refused.
std::string encode_error(const decode_error& error);

// The HTTP API's error body: {"error":{"code":..,"message":..}}
std::string encode_http_error(std::string_view code, std::string_view message);

}  // namespace troupe::protocol
