#include "server/protocol/encode.hpp"

#include "server/protocol/json_text.hpp"

#include <nlohmann/json.hpp>

#include <utility>

namespace troupe::protocol {
namespace {

// Appends the fields of one JSON object in order. Keys are compile-time constants of this file
// and need no escaping; values are escaped.
class object_writer {
 public:
  explicit object_writer(std::size_t reserve) { out_.reserve(reserve + frame_header_room); }

  // Opens the frame: {"type":"<type>" and, when present, ,"id":<id>.
  object_writer(std::string_view type, const request_id& id, std::size_t reserve)
      : object_writer(reserve) {
    out_ += "{\"type\":\"";
    out_ += type;
    out_ += '"';
    if (id) append_id(*id);
  }

  object_writer& string(std::string_view key, std::string_view value) {
    this->key(key);
    append_json_string(out_, value);
    return *this;
  }
  template <std::integral T>
  object_writer& integer(std::string_view key, T value) {
    this->key(key);
    append_json_integer(out_, value);
    return *this;
  }
  object_writer& member(std::string_view key, const protocol::member& who) {
    this->key(key);
    append_member(who);
    return *this;
  }
  object_writer& members(std::string_view key, std::span<const protocol::member> all) {
    this->key(key);
    out_ += '[';
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (i != 0) out_ += ',';
      append_member(all[i]);
    }
    out_ += ']';
    return *this;
  }
  // A JSON array of already-encoded values, spliced in unchanged.
  template <class Text>
  object_writer& spliced_array(std::string_view key, std::span<const Text> items) {
    this->key(key);
    out_ += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i != 0) out_ += ',';
      out_ += items[i];
    }
    out_ += ']';
    return *this;
  }
  // Any JSON value, compact; ill-formed UTF-8 in its strings becomes U+FFFD.
  object_writer& value(std::string_view key, const nlohmann::json& v) {
    this->key(key);
    append_value(v);
    return *this;
  }

  // Closes the object (call once) and hands over the text.
  std::string finish() {
    out_ += '}';
    return std::move(out_);
  }

 private:
  void key(std::string_view k) {
    out_ += out_.empty() ? "{\"" : ",\"";
    out_ += k;
    out_ += "\":";
  }

  void append_id(const nlohmann::json& id) {
    key("id");
    if (id.is_string()) {
      append_json_string(out_, id.get_ref<const std::string&>());
    } else if (id.is_number_unsigned()) {
      append_json_integer(out_, id.get<std::uint64_t>());
    } else if (id.is_number_integer()) {
      append_json_integer(out_, id.get<std::int64_t>());
    } else {  // decode() never produces this; stay valid JSON anyway
      append_value(id);
    }
  }

  void append_value(const nlohmann::json& v) {
    // What json::dump does, but serializing onto out_ rather than into a string of its own.
    nlohmann::detail::serializer<nlohmann::json> serializer(
        nlohmann::detail::output_adapter<char, std::string>(out_), ' ',
        nlohmann::json::error_handler_t::replace);
    serializer.dump(v, false, false, 0);
  }

  void append_member(const protocol::member& who) {
    out_ += "{\"session\":";
    if (who.session.empty()) {
      out_ += "null";
    } else {
      append_json_string(out_, who.session);
    }
    out_ += ",\"name\":";
    append_json_string(out_, who.name);
    out_ += '}';
  }

  std::string out_;
};

// Room of a frame's fixed parts: type, keys, punctuation, numbers, id.
constexpr std::size_t frame_overhead = 96;

template <class Text>
std::size_t total_size(std::span<const Text> items) {
  std::size_t n = items.size();
  for (const auto& item : items) n += item.size();
  return n;
}

template <class Text>
std::string joined(const request_id& id, std::string_view room, std::span<const member> members,
                   std::span<const Text> history, std::uint64_t last_seq, std::string_view epoch) {
  std::size_t reserve = frame_overhead + room.size() + epoch.size() + total_size(history);
  for (const auto& m : members) reserve += 32 + m.session.size() + m.name.size();
  return object_writer("room.joined", id, reserve)
      .string("room", room)
      .members("members", members)
      .spliced_array("history", history)
      .integer("last_seq", last_seq)
      .string("epoch", epoch)
      .finish();
}

template <class Text>
std::string history(const request_id& id, std::string_view room, std::span<const Text> messages,
                    std::uint64_t last_seq, std::string_view epoch) {
  return object_writer("room.history", id,
                       frame_overhead + room.size() + epoch.size() + total_size(messages))
      .string("room", room)
      .spliced_array("messages", messages)
      .integer("last_seq", last_seq)
      .string("epoch", epoch)
      .finish();
}

}  // namespace

std::string encode_welcome(std::string_view session, std::string_view node) {
  return object_writer("welcome", {}, frame_overhead + session.size() + node.size())
      .string("session", session)
      .string("node", node)
      .integer("protocol", protocol_version)
      .finish();
}

std::string encode_counter_value(const request_id& id, std::string_view counter,
                                 std::int64_t value) {
  return object_writer("counter.value", id, frame_overhead + counter.size())
      .string("counter", counter)
      .integer("value", value)
      .finish();
}

std::string encode_ok(const request_id& id, std::optional<std::uint64_t> seq) {
  object_writer w("ok", id, frame_overhead);
  if (seq) w.integer("seq", *seq);
  return w.finish();
}

std::string encode_room_message(const chat_message& m) {
  return object_writer("room.message", {},
                       frame_overhead + m.room.size() + m.from.session.size() + m.from.name.size() +
                           m.text.size())
      .string("room", m.room)
      .integer("seq", m.seq)
      .member("from", m.from)
      .string("text", m.text)
      .integer("ts", m.ts_ms)
      .finish();
}

std::string encode_room_joined(const request_id& id, std::string_view room,
                               std::span<const member> members,
                               std::span<const std::string_view> history_encoded,
                               std::uint64_t last_seq, std::string_view epoch) {
  return joined(id, room, members, history_encoded, last_seq, epoch);
}

std::string encode_room_joined(const request_id& id, std::string_view room,
                               std::span<const member> members,
                               std::span<const std::string> history_encoded, std::uint64_t last_seq,
                               std::string_view epoch) {
  return joined(id, room, members, history_encoded, last_seq, epoch);
}

std::string encode_room_history(const request_id& id, std::string_view room,
                                std::span<const std::string_view> messages_encoded,
                                std::uint64_t last_seq, std::string_view epoch) {
  return history(id, room, messages_encoded, last_seq, epoch);
}

std::string encode_room_history(const request_id& id, std::string_view room,
                                std::span<const std::string> messages_encoded,
                                std::uint64_t last_seq, std::string_view epoch) {
  return history(id, room, messages_encoded, last_seq, epoch);
}

std::string encode_room_presence(std::string_view room, std::string_view event, const member& who) {
  return object_writer("room.presence", {},
                       frame_overhead + room.size() + who.session.size() + who.name.size())
      .string("room", room)
      .string("event", event)
      .member("member", who)
      .finish();
}

std::string encode_echo(const request_id& id, const nlohmann::json& payload, std::size_t worker) {
  // The payload's size is unknown until it is serialized: room for a typical small one.
  return object_writer("echo", id, frame_overhead + 128)
      .value("payload", payload)
      .integer("worker", worker)
      .finish();
}

std::string encode_pong(const request_id& id) {
  return object_writer("pong", id, 32).finish();
}

std::string encode_error(const request_id& id, error_code code, std::string_view message) {
  return object_writer("error", id, frame_overhead + message.size())
      .string("code", to_string(code))
      .string("message", message)
      .finish();
}

std::string encode_error(const decode_error& error) {
  return encode_error(error.id, error.code, error.message);
}

std::string encode_http_error(std::string_view code, std::string_view message) {
  object_writer error(frame_overhead + message.size());
  error.string("code", code).string("message", message);
  return "{\"error\":" + error.finish() + '}';
}

}  // namespace troupe::protocol
