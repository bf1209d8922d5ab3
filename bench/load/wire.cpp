#include "bench/load/wire.hpp"

#include <charconv>

namespace troupe::load {
namespace {

void append_number(std::string& out, std::uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// Names and rooms are chosen by the load tool (ASCII letters, digits, '-'), so they need no
// escaping; payloads are runs of 'x'.
void append_string(std::string& out, std::string_view s) {
  out += '"';
  out += s;
  out += '"';
}

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

class scanner {
 public:
  explicit scanner(std::string_view s) noexcept : s_(s) {}

  void skip_space() noexcept {
    while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
  }
  bool eat(char c) noexcept {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  // A string starting at the current '"'; returns its raw contents.
  std::optional<std::string_view> string() noexcept {
    if (!eat('"')) return std::nullopt;
    const std::size_t begin = pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == '\\') {
        pos_ += 2;
      } else if (c == '"') {
        return s_.substr(begin, pos_++ - begin);
      } else {
        ++pos_;
      }
    }
    return std::nullopt;
  }
  // Any value; returns its raw text (strings without their quotes; `quoted` says which).
  std::optional<std::string_view> value(bool& quoted) noexcept {
    skip_space();
    quoted = false;
    if (pos_ >= s_.size()) return std::nullopt;
    const char c = s_[pos_];
    if (c == '"') {
      quoted = true;
      return string();
    }
    const std::size_t begin = pos_;
    if (c == '{' || c == '[') {
      int depth = 0;
      while (pos_ < s_.size()) {
        const char d = s_[pos_];
        if (d == '"') {
          if (!string()) return std::nullopt;
          continue;
        }
        ++pos_;
        if (d == '{' || d == '[') ++depth;
        if ((d == '}' || d == ']') && --depth == 0) return s_.substr(begin, pos_ - begin);
      }
      return std::nullopt;
    }
    while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != '}' && !is_space(s_[pos_])) ++pos_;
    if (pos_ == begin) return std::nullopt;
    return s_.substr(begin, pos_ - begin);
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string echo_request(std::uint64_t id, std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 48);
  out += R"({"type":"echo","id":)";
  append_number(out, id);
  out += R"(,"payload":)";
  append_string(out, payload);
  out += '}';
  return out;
}

std::string counter_inc_request(std::uint64_t id, std::string_view counter) {
  std::string out = R"({"type":"counter.inc","id":)";
  append_number(out, id);
  out += R"(,"counter":)";
  append_string(out, counter);
  out += R"(,"by":1})";
  return out;
}

std::string room_join_request(target_kind target, std::uint64_t id, std::string_view room,
                              std::string_view name) {
  if (target == target_kind::baseline) return std::string(room);
  std::string out = R"({"type":"room.join","id":)";
  append_number(out, id);
  out += R"(,"room":)";
  append_string(out, room);
  out += R"(,"name":)";
  append_string(out, name);
  out += '}';
  return out;
}

std::string room_leave_request(std::uint64_t id, std::string_view room) {
  std::string out = R"({"type":"room.leave","id":)";
  append_number(out, id);
  out += R"(,"room":)";
  append_string(out, room);
  out += '}';
  return out;
}

std::string room_say_request(std::string_view room, std::string_view text) {
  std::string out = R"({"type":"room.say","room":)";
  append_string(out, room);
  out += R"(,"text":)";
  append_string(out, text);
  out += '}';
  return out;
}

std::string numbered(std::string_view prefix, std::uint64_t n) {
  std::string out(prefix);
  append_number(out, n);
  return out;
}

std::string_view echo_reply_type(target_kind) {
  return "echo";
}
std::string_view counter_reply_type(target_kind target) {
  return target == target_kind::troupe ? "counter.value" : "counter.inc";
}
std::string_view room_message_type(target_kind target) {
  return target == target_kind::troupe ? "room.message" : "room.say";
}

frame_fields scan_frame(std::string_view frame) noexcept {
  frame_fields out;
  scanner sc(frame);
  if (!sc.eat('{')) return out;
  if (sc.eat('}')) {
    out.valid = true;
    return out;
  }
  for (;;) {
    const auto key = sc.string();
    if (!key || !sc.eat(':')) return out;
    bool quoted = false;
    const auto value = sc.value(quoted);
    if (!value) return out;
    if (*key == "type") {
      out.type = *value;
    } else if (*key == "id" && !quoted) {
      std::uint64_t id = 0;
      auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), id);
      if (ec == std::errc{} && end == value->data() + value->size()) out.id = id;
    } else if (*key == "text") {
      out.text = *value;
    } else if (*key == "payload" && quoted) {
      out.payload = *value;
    }
    if (sc.eat(',')) continue;
    if (sc.eat('}')) break;
    return out;
  }
  out.valid = true;
  return out;
}

std::string format_stamp(const stamp& s) {
  std::string out;
  append_number(out, s.publisher);
  out += ' ';
  append_number(out, s.seq);
  out += ' ';
  append_number(out, static_cast<std::uint64_t>(s.sent_ns));
  return out;
}

std::optional<stamp> parse_stamp(std::string_view text) noexcept {
  stamp s;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  auto r1 = std::from_chars(p, end, s.publisher);
  if (r1.ec != std::errc{} || r1.ptr == end || *r1.ptr != ' ') return std::nullopt;
  auto r2 = std::from_chars(r1.ptr + 1, end, s.seq);
  if (r2.ec != std::errc{} || r2.ptr == end || *r2.ptr != ' ') return std::nullopt;
  auto r3 = std::from_chars(r2.ptr + 1, end, s.sent_ns);
  if (r3.ec != std::errc{} || r3.ptr != end) return std::nullopt;
  return s;
}

}  // namespace troupe::load
