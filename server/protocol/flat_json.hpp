#pragma once
// flat_json: a scanner for the common shape of a client request - one JSON object whose values
// are plain strings, small integers, true, false or null - that reads it in place, with no DOM and
// no allocation. It accepts a strict subset of JSON and declines (nullopt) everything else:
// nesting, escapes, bytes outside printable ASCII, fractions and exponents, integers of more than
// 18 digits, duplicate keys, more than max_members members. decode() then parses the frame with
// nlohmann::json, so declining is always safe; accepting must mean exactly what that parse means.
// Pure; thread-safe.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace troupe::protocol {

struct flat_value {
  enum class kind { string, integer, boolean, null };
  kind type = kind::null;
  std::string_view text;     // string: the characters between the quotes (no escapes in them)
  std::int64_t integer = 0;  // integer: its value (|value| < 10^18)
  bool negative = false;     // integer: written with a minus sign ("-0" included)
  bool boolean = false;
};

class flat_object {
 public:
  static constexpr std::size_t max_members = 8;

  // The value of member `key`, or nullptr.
  const flat_value* find(std::string_view key) const noexcept {
    for (std::size_t i = 0; i < size_; ++i)
      if (members_[i].key == key) return &members_[i].value;
    return nullptr;
  }
  std::size_t size() const noexcept { return size_; }

 private:
  friend std::optional<flat_object> scan_flat_object(std::string_view text) noexcept;
  struct member {
    std::string_view key;
    flat_value value;
  };
  std::array<member, max_members> members_{};
  std::size_t size_ = 0;
};

// `text` as a flat object, or nullopt when it is anything else (see above). The views in the
// result point into `text`.
std::optional<flat_object> scan_flat_object(std::string_view text) noexcept;

}  // namespace troupe::protocol
