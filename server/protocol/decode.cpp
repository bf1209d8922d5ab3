#include "server/protocol/decode.hpp"

#include "server/protocol/json_describe.hpp"
#include "server/protocol/names.hpp"

#include <cstdint>
#include <limits>
#include <utility>

namespace troupe::protocol {
namespace {

using json = nlohmann::json;

// Client text quoted in an error message is cut to this many bytes.
constexpr std::size_t max_quoted_bytes = 160;

// `s` cut to at most `max_bytes` without splitting a UTF-8 sequence, "..." marking a cut.
std::string clip(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  std::string out(s.substr(0, cut));
  out += "...";
  return out;
}

// True when arrays/objects nest deeper than `max_depth` (checked on the raw text, before parsing,
// so a hostile frame cannot make the recursive parts of nlohmann::json - copy, dump - overflow
// the stack later).
bool nests_deeper_than(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

// Reads the fields of one request object. The first problem found is kept as the error message;
// after it every read returns a default value, so a request can be built in one expression and
// checked once.
class field_reader {
 public:
  field_reader(json::object_t& object, const limits& lim) : object_(object), limits_(lim) {}

  bool failed() const noexcept { return failed_; }
  std::string take_message() { return std::move(message_); }

  std::string name(std::string_view field) {
    json* v = required(field, "a name matching " + std::string(name_pattern));
    if (v == nullptr) return {};
    if (!v->is_string() || !valid_name(v->get_ref<const std::string&>())) {
      fail("field '" + std::string(field) + "' must be a name matching " +
           std::string(name_pattern) + got(*v));
      return {};
    }
    return std::move(v->get_ref<std::string&>());
  }

  std::string display_name(std::string_view field) {
    static constexpr std::string_view what =
        "a display name of 1 to 32 characters without control characters";
    json* v = required(field, std::string(what));
    if (v == nullptr) return {};
    if (!v->is_string() || !valid_display_name(v->get_ref<const std::string&>())) {
      fail("field '" + std::string(field) + "' must be " + std::string(what) + got(*v));
      return {};
    }
    return std::move(v->get_ref<std::string&>());
  }

  std::string text(std::string_view field) {
    json* v = required(field, "a string");
    if (v == nullptr) return {};
    if (!v->is_string()) {
      fail("field '" + std::string(field) + "' must be a string" + got(*v));
      return {};
    }
    auto& s = v->get_ref<std::string&>();
    if (s.size() > limits_.max_text_bytes) {
      fail("field '" + std::string(field) + "' is " + std::to_string(s.size()) +
           " bytes, over the limit of " + std::to_string(limits_.max_text_bytes));
      return {};
    }
    return std::move(s);
  }

  std::int64_t int64_or(std::string_view field, std::int64_t fallback) {
    json* v = optional(field);
    if (v == nullptr) return fallback;
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (v->is_number_unsigned() && v->get<std::uint64_t>() > max) {
      fail("field '" + std::string(field) + "' must be a signed 64-bit integer, got " + v->dump());
      return fallback;
    }
    if (!v->is_number_integer()) {
      fail("field '" + std::string(field) + "' must be a signed 64-bit integer" + got(*v));
      return fallback;
    }
    return v->get<std::int64_t>();
  }

  std::uint64_t uint64_or(std::string_view field, std::uint64_t fallback) {
    json* v = optional(field);
    if (v == nullptr) return fallback;
    if (v->is_number_unsigned()) return v->get<std::uint64_t>();
    if (v->is_number_integer() && v->get<std::int64_t>() >= 0) {
      return static_cast<std::uint64_t>(v->get<std::int64_t>());
    }
    fail("field '" + std::string(field) + "' must be a non-negative integer" +
         (v->is_number_integer() ? ", got " + v->dump() : got(*v)));
    return fallback;
  }

  json any(std::string_view field) {
    json* v = required(field, "any JSON value");
    return v == nullptr ? json() : std::move(*v);
  }

 private:
  static std::string got(const json& v) { return ", got " + std::string(describe(v)); }

  json* optional(std::string_view field) {
    if (failed_) return nullptr;
    auto it = object_.find(field);
    return it == object_.end() ? nullptr : &it->second;
  }

  json* required(std::string_view field, const std::string& what) {
    if (failed_) return nullptr;
    json* v = optional(field);
    if (v == nullptr) fail("missing field '" + std::string(field) + "' (" + what + ")");
    return v;
  }

  void fail(std::string message) {
    failed_ = true;
    message_ = std::move(message);
  }

  json::object_t& object_;
  const limits& limits_;
  bool failed_ = false;
  std::string message_;
};

// One row per request type: its wire name and how to read its fields.
struct request_kind {
  std::string_view type;
  request (*read)(field_reader&);
};

// Braced initialisers evaluate left to right, so fields are read (and the first error reported)
// in the order they are listed.
constexpr request_kind request_kinds[] = {
    {counter_inc::wire_type,
     [](field_reader& f) -> request {
       return counter_inc{f.name("counter"), f.int64_or("by", 1)};
     }},
    {counter_get::wire_type,
     [](field_reader& f) -> request { return counter_get{f.name("counter")}; }},
    {counter_watch::wire_type,
     [](field_reader& f) -> request { return counter_watch{f.name("counter")}; }},
    {counter_unwatch::wire_type,
     [](field_reader& f) -> request { return counter_unwatch{f.name("counter")}; }},
    {room_join::wire_type,
     [](field_reader& f) -> request {
       return room_join{f.name("room"), f.display_name("name")};
     }},
    {room_say::wire_type,
     [](field_reader& f) -> request {
       return room_say{f.name("room"), f.text("text")};
     }},
    {room_history::wire_type,
     [](field_reader& f) -> request {
       return room_history{f.name("room"), f.uint64_or("since", 0)};
     }},
    {room_leave::wire_type, [](field_reader& f) -> request { return room_leave{f.name("room")}; }},
    {echo::wire_type, [](field_reader& f) -> request { return echo{f.any("payload")}; }},
    {ping::wire_type, [](field_reader&) -> request { return ping{}; }},
};

decode_error bad_request(request_id id, std::string message) {
  return {std::move(id), error_code::bad_request, std::move(message)};
}

}  // namespace

std::variant<decoded, decode_error> decode(std::string_view frame, const limits& lim) {
  if (nests_deeper_than(frame, lim.max_depth)) {
    return bad_request(
        {}, "arrays and objects nest deeper than " + std::to_string(lim.max_depth) + " levels");
  }
  json doc;
  try {
    doc = json::parse(frame);
  } catch (const json::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." minus the tag.
    std::string_view what = e.what();
    if (auto tag_end = what.find("] "); tag_end != std::string_view::npos) {
      what.remove_prefix(tag_end + 2);
    }
    return decode_error{
        {}, error_code::bad_json, "not valid JSON: " + clip(what, max_quoted_bytes)};
  }
  if (!doc.is_object()) {
    return bad_request({}, "a frame must be a JSON object, got " + std::string(describe(doc)));
  }
  auto& object = doc.get_ref<json::object_t&>();

  request_id id;
  if (auto it = object.find("id"); it != object.end()) {
    if (!it->second.is_string() && !it->second.is_number_integer()) {
      return bad_request({}, "field 'id' must be a string or an integer, got " +
                                 std::string(describe(it->second)));
    }
    id = std::move(it->second);
  }

  auto type_it = object.find("type");
  if (type_it == object.end()) return bad_request(std::move(id), "missing field 'type'");
  if (!type_it->second.is_string()) {
    return bad_request(std::move(id), "field 'type' must be a string, got " +
                                          std::string(describe(type_it->second)));
  }
  const std::string type = std::move(type_it->second.get_ref<std::string&>());

  for (const auto& kind : request_kinds) {
    if (kind.type != type) continue;
    field_reader fields(object, lim);
    request body = kind.read(fields);
    if (fields.failed()) return bad_request(std::move(id), fields.take_message());
    return decoded{std::move(id), std::move(body)};
  }
  return decode_error{std::move(id), error_code::unknown_type,
                      "unknown type '" + clip(type, max_quoted_bytes) + "'"};
}

}  // namespace troupe::protocol
