#include "server/protocol/decode.hpp"

#include "server/protocol/flat_json.hpp"
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

// Reads the fields of a flat request (see flat_json) like field_reader, but words no errors: a
// field that is missing, mistyped or invalid makes it fail, and decode() then reads the frame
// the general way, which says what is wrong. Strings in a flat request have no escapes, so their
// text is their value.
class flat_reader {
 public:
  flat_reader(const flat_object& object, const limits& lim) : object_(object), limits_(lim) {}

  bool failed() const noexcept { return failed_; }

  std::string name(std::string_view field) {
    auto s = string(field);
    return s && valid_name(*s) ? std::string(*s) : fail<std::string>();
  }
  std::string display_name(std::string_view field) {
    auto s = string(field);
    return s && valid_display_name(*s) ? std::string(*s) : fail<std::string>();
  }
  std::string text(std::string_view field) {
    auto s = string(field);
    return s && s->size() <= limits_.max_text_bytes ? std::string(*s) : fail<std::string>();
  }
  std::int64_t int64_or(std::string_view field, std::int64_t fallback) {
    const flat_value* v = object_.find(field);
    if (v == nullptr) return fallback;
    return v->type == flat_value::kind::integer ? v->integer : fail<std::int64_t>();
  }
  std::uint64_t uint64_or(std::string_view field, std::uint64_t fallback) {
    const flat_value* v = object_.find(field);
    if (v == nullptr) return fallback;
    if (v->type != flat_value::kind::integer || v->integer < 0) return fail<std::uint64_t>();
    return static_cast<std::uint64_t>(v->integer);
  }
  json any(std::string_view field) {
    const flat_value* v = object_.find(field);
    return v != nullptr ? to_json(*v) : fail<json>();
  }

  // The value nlohmann::json::parse gives the same text: a non-negative integer is unsigned, a
  // negative one (-0 included) signed.
  static json to_json(const flat_value& v) {
    switch (v.type) {
      case flat_value::kind::string:
        return json(std::string(v.text));
      case flat_value::kind::integer:
        return v.negative ? json(v.integer) : json(static_cast<std::uint64_t>(v.integer));
      case flat_value::kind::boolean:
        return json(v.boolean);
      case flat_value::kind::null:
        break;
    }
    return json(nullptr);
  }

 private:
  std::optional<std::string_view> string(std::string_view field) {
    const flat_value* v = object_.find(field);
    if (v == nullptr || v->type != flat_value::kind::string) return std::nullopt;
    return v->text;
  }
  template <class T>
  T fail() {
    failed_ = true;
    return T{};
  }

  const flat_object& object_;
  const limits& limits_;
  bool failed_ = false;
};

// One row per request type: its wire name and how to read its fields, from a parsed document
// or from a flat request.
struct request_kind {
  std::string_view type;
  request (*read)(field_reader&);
  request (*read_flat)(flat_reader&);
};

// `read` is a generic lambda without captures: one definition serves both readers.
template <class Read>
constexpr request_kind kind(std::string_view type, Read) {
  return {type, [](field_reader& f) -> request { return Read{}(f); },
          [](flat_reader& f) -> request { return Read{}(f); }};
}

// Braced initialisers evaluate left to right, so fields are read (and the first error reported)
// in the order they are listed.
constexpr request_kind request_kinds[] = {
    kind(counter_inc::wire_type,
         [](auto& f) {
           return counter_inc{f.name("counter"), f.int64_or("by", 1)};
         }),
    kind(counter_get::wire_type, [](auto& f) { return counter_get{f.name("counter")}; }),
    kind(counter_watch::wire_type, [](auto& f) { return counter_watch{f.name("counter")}; }),
    kind(counter_unwatch::wire_type, [](auto& f) { return counter_unwatch{f.name("counter")}; }),
    kind(room_join::wire_type,
         [](auto& f) {
           return room_join{f.name("room"), f.display_name("name")};
         }),
    kind(room_say::wire_type,
         [](auto& f) {
           return room_say{f.name("room"), f.text("text")};
         }),
    kind(room_history::wire_type,
         [](auto& f) {
           return room_history{f.name("room"), f.uint64_or("since", 0)};
         }),
    kind(room_leave::wire_type, [](auto& f) { return room_leave{f.name("room")}; }),
    kind(echo::wire_type, [](auto& f) { return echo{f.any("payload")}; }),
    kind(ping::wire_type, [](auto&) { return ping{}; }),
};

decode_error bad_request(request_id id, std::string message) {
  return {std::move(id), error_code::bad_request, std::move(message)};
}

}  // namespace

std::variant<decoded, decode_error> decode(std::string_view frame, const limits& lim) {
  if (auto flat = decode_flat(frame, lim)) return std::move(*flat);
  return decode_document(frame, lim);
}

std::optional<decoded> decode_flat(std::string_view frame, const limits& lim) {
  if (lim.max_depth == 0) return std::nullopt;  // even a flat object nests one level
  const auto object = scan_flat_object(frame);
  if (!object) return std::nullopt;
  request_id id;
  if (const flat_value* v = object->find("id")) {
    if (v->type != flat_value::kind::string && v->type != flat_value::kind::integer) {
      return std::nullopt;
    }
    id = flat_reader::to_json(*v);
  }
  const flat_value* type = object->find("type");
  if (type == nullptr || type->type != flat_value::kind::string) return std::nullopt;
  for (const auto& kind : request_kinds) {
    if (kind.type != type->text) continue;
    flat_reader fields(*object, lim);
    request body = kind.read_flat(fields);
    if (fields.failed()) return std::nullopt;
    return decoded{std::move(id), std::move(body)};
  }
  return std::nullopt;  // an unknown type: the general path words the error
}

std::variant<decoded, decode_error> decode_document(std::string_view frame, const limits& lim) {
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
      return bad_request({}, "field 'id' must be a string or a 64-bit integer, got " +
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
