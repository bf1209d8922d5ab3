#pragma once
// The table of settings: for each one, its key in the file, its flag, its environment variable,
// its meaning, and how to parse, check and show it. Loading, --help and dump_config all follow
// this one table. Immutable after first use; thread-safe.
#include "config/config.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace troupe {

enum class setting_kind {
  integer,  // a JSON integer / decimal digits, within [min, max]
  string,   // any string of at least `min` bytes
  name,     // as string, but valid UTF-8 without control characters: it is shown to clients
  choice,   // one of `choices`
  address,  // an IPv4 or IPv6 address (not a host name: the listener binds without resolving)
  origins,  // "*", "self" or a comma-separated list of origins (origin_policy::parse)
};

struct setting {
  std::string_view section;     // "server": the object in the file
  std::string_view key;         // "port": the key inside it
  std::string_view flag;        // "--port"
  std::string_view env;         // "TROUPE_PORT"
  std::string_view value_name;  // "N": the placeholder in --help
  std::string_view meaning;
  setting_kind kind;
  std::int64_t min = 0;  // integer: smallest value; string: shortest length
  std::int64_t max = 0;  // integer: largest value
  std::span<const std::string_view> choices = {};  // choice: the allowed values

  // Accessors of the field in troupe::config (integer kind: the first two; others: the last two).
  void (*set_integer)(config&, std::int64_t) = nullptr;
  std::int64_t (*get_integer)(const config&) = nullptr;
  void (*set_text)(config&, std::string_view) = nullptr;
  std::string (*get_text)(const config&) = nullptr;

  std::string path() const;  // "server.port"
  // What a valid value is: "an integer from 1 to 65535", "one of text, json", ...
  std::string expected() const;
  // Checks and stores a value. Empty when stored; otherwise what is wrong, ready to follow
  // "<where>: ", e.g. "must be an integer from 1 to 65535, got 70000".
  std::optional<std::string> assign_text(config& cfg, std::string_view text) const;
  std::optional<std::string> assign_json(config& cfg, const nlohmann::json& value) const;
  // The value in `cfg`, as it would appear in the file.
  nlohmann::json value(const config& cfg) const;
};

// Every setting, grouped by section in the order of config/troupe.json.
std::span<const setting> settings();

// 's' in single quotes, as error messages quote values, keys and flags; control characters
// escaped (\n, \t, \xNN), so the message stays one line.
std::string in_quotes(std::string_view s);

}  // namespace troupe
