#pragma once
// What counts as a valid room or counter name, and a valid display name. Pure; thread-safe.
#include <cstddef>
#include <string_view>

namespace troupe::protocol {

inline constexpr std::size_t max_name_bytes = 64;
inline constexpr std::size_t max_display_name_chars = 32;
inline constexpr std::string_view name_pattern = "^[A-Za-z0-9._-]{1,64}$";

// Room and counter names: ^[A-Za-z0-9._-]{1,64}$.
bool valid_name(std::string_view name) noexcept;

// Well-formed UTF-8 with no control characters (C0 U+0000..U+001F, DEL U+007F, C1
// U+0080..U+009F), of any length: text shown to people, such as a node's id.
bool printable_text(std::string_view text) noexcept;

// Display names: printable text of 1..32 Unicode code points.
bool valid_display_name(std::string_view name) noexcept;

}  // namespace troupe::protocol
