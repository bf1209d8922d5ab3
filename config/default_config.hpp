#pragma once
// The text of config/troupe.json, embedded in the library when it is built, so the server runs
// with no files on disk. Thread-safe (a constant).
#include <string_view>

namespace troupe {

std::string_view default_config_text() noexcept;

}  // namespace troupe
