#include "server/protocol/flat_json.hpp"

namespace troupe::protocol {
namespace {

constexpr std::size_t max_integer_digits = 18;  // below 10^18: no overflow, and nlohmann agrees

class scanner {
 public:
  explicit scanner(std::string_view text) noexcept
      : p_(text.data()), end_(text.data() + text.size()) {}

  bool at_end() const noexcept { return p_ == end_; }

  // RFC 8259 whitespace: space, tab, line feed, carriage return.
  void skip_space() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  bool take(char c) noexcept {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  // A string of printable ASCII other than '"' and '\\', after its opening quote.
  bool string(std::string_view& out) noexcept {
    const char* start = p_;
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out = std::string_view(start, static_cast<std::size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c == '\\' || c < 0x20 || c > 0x7e) return false;  // escapes, control bytes, non-ASCII
      ++p_;
    }
    return false;
  }

  // -?(0|[1-9][0-9]*) with no fraction or exponent, at most max_integer_digits digits.
  bool integer(flat_value& v) noexcept {
    v.type = flat_value::kind::integer;
    v.negative = take('-');
    const char* digits = p_;
    std::int64_t n = 0;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
      if (static_cast<std::size_t>(p_ - digits) == max_integer_digits) return false;
      n = n * 10 + (*p_ - '0');
      ++p_;
    }
    const auto count = p_ - digits;
    if (count == 0 || (count > 1 && *digits == '0')) return false;  // none, or a leading zero
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    v.integer = v.negative ? -n : n;
    return true;
  }

  bool literal(std::string_view word) noexcept {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word)
      return false;
    p_ += word.size();
    return true;
  }

  bool value(flat_value& v) noexcept {
    if (p_ == end_) return false;
    switch (*p_) {
      case '"':
        ++p_;
        v.type = flat_value::kind::string;
        return string(v.text);
      case 't':
        v.type = flat_value::kind::boolean;
        v.boolean = true;
        return literal("true");
      case 'f':
        v.type = flat_value::kind::boolean;
        v.boolean = false;
        return literal("false");
      case 'n':
        v.type = flat_value::kind::null;
        return literal("null");
      default:
        return integer(v);
    }
  }

 private:
  const char* p_;
  const char* end_;
};

}  // namespace

std::optional<flat_object> scan_flat_object(std::string_view text) noexcept {
  scanner in(text);
  flat_object object;
  in.skip_space();
  if (!in.take('{')) return std::nullopt;
  in.skip_space();
  if (!in.take('}')) {
    do {
      in.skip_space();
      if (object.size_ == flat_object::max_members || !in.take('"')) return std::nullopt;
      auto& m = object.members_[object.size_];
      if (!in.string(m.key) || object.find(m.key) != nullptr) return std::nullopt;  // duplicates
      in.skip_space();
      if (!in.take(':')) return std::nullopt;
      in.skip_space();
      if (!in.value(m.value)) return std::nullopt;
      ++object.size_;
      in.skip_space();
    } while (in.take(','));
    if (!in.take('}')) return std::nullopt;
  }
  in.skip_space();
  if (!in.at_end()) return std::nullopt;
  return object;
}

}  // namespace troupe::protocol
