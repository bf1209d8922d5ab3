#pragma once
// The protocol's error codes: the `code` of every {"type":"error"} frame, as one enum with a
// std::error_category so they travel as std::error_code where that is convenient.
// Pure functions; thread-safe.
#include <string_view>
#include <system_error>
#include <type_traits>

namespace troupe::protocol {

// Values start at 1: std::error_code treats 0 as success.
enum class error_code {
  bad_json = 1,  // the frame is not parseable JSON (this includes invalid UTF-8)
  bad_request,   // not an object; a field missing, wrongly typed or invalid; an invalid id
  unknown_type,  // `type` names no request of protocol v1
  not_member,    // room.say / room.leave for a room the session has not joined
  overloaded,    // a mailbox or outbound queue on the way is full; retry later
  timeout,       // the actor behind the request did not answer in time
  limit,         // a new room or counter, and the server holds as many as it may
  unavailable,   // the store could not keep a change, which was not made; retry later
};
inline constexpr error_code last_error_code = error_code::unavailable;

// The wire spelling: "bad_json", "bad_request", ...
std::string_view to_string(error_code code) noexcept;

const std::error_category& protocol_category() noexcept;

inline std::error_code make_error_code(error_code code) noexcept {
  return {static_cast<int>(code), protocol_category()};
}

}  // namespace troupe::protocol

template <>
struct std::is_error_code_enum<troupe::protocol::error_code> : std::true_type {};
