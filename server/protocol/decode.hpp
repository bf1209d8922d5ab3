#pragma once
// decode(): one client text frame -> a typed request, or the error to send back.
// Pure and allocation-only (no I/O, no globals); safe to call from any thread. Never throws
// (except std::bad_alloc).
#include "server/protocol/errors.hpp"
#include "server/protocol/requests.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace troupe::protocol {

struct limits {
  std::size_t max_text_bytes = 4096;  // room.say `text`, in bytes of UTF-8
  std::size_t max_depth = 64;         // nesting of arrays/objects in a frame (echo payloads)
};

struct decoded {
  request_id id;
  request body;
};

struct decode_error {
  request_id id;  // set when the frame carried a valid id, so the error reply can echo it
  error_code code;
  std::string message;  // names the offending field, e.g. "field 'counter' must be ..."
};

// Errors: bad_json when the frame is not JSON (JSON text must be UTF-8, so a frame with
// invalid UTF-8 anywhere is bad_json); bad_request when it is not an object, when `id` is
// neither a string nor an integer, when `type` is missing or not a string, when a field is
// missing, wrongly typed or invalid, or when nesting exceeds max_depth; unknown_type when `type`
// is no v1 request. Unknown extra fields are ignored.
std::variant<decoded, decode_error> decode(std::string_view frame, const limits& lim);

// The two ways decode() reads a frame, public for tests. decode_flat reads a flat request (one
// object of plain ASCII strings without escapes, small integers, booleans and nulls: see
// flat_json) in place, with no JSON document, and declines (nullopt) anything else, valid or
// not. decode_document parses any frame with nlohmann::json and words every error. Where
// decode_flat answers, decode_document answers the same.
std::optional<decoded> decode_flat(std::string_view frame, const limits& lim);
std::variant<decoded, decode_error> decode_document(std::string_view frame, const limits& lim);

}  // namespace troupe::protocol
