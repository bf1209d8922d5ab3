#pragma once
// Loading troupe::config at startup. Precedence, highest first: command-line flags, TROUPE_*
// environment variables, the JSON file named by --config (or TROUPE_CONFIG), built-in defaults
// (the embedded config/troupe.json). Runs once on the main thread; no shared state.
#include "config/config.hpp"

#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace troupe {

// A setting is invalid. what() says what is wrong and where: "flag --port: must be an integer
// from 1 to 65535, got '0'", "config file 'x.json': unknown key 'server.prot'", ...
// main prints it and exits with status 2.
class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// --help or -h was given. text() (also what()) is help_text(); main prints it and exits 0.
class help_requested : public std::exception {
 public:
  explicit help_requested(std::string text) : text_(std::move(text)) {}
  const char* what() const noexcept override { return text_.c_str(); }
  const std::string& text() const noexcept { return text_; }

 private:
  std::string text_;
};

using getenv_function = std::function<const char*(const char*)>;

// Throws config_error or help_requested. `getenv` is the environment (tests pass a map).
// Empty environment variables count as unset. Flags take "--flag value" or "--flag=value";
// a repeated flag's last value wins.
config load_config(
    int argc, char** argv, const getenv_function& getenv = [](const char* name) -> const char* {
      return std::getenv(name);
    });

// Applies the settings present in a JSON document shaped like config/troupe.json to `cfg`
// (missing keys keep their value). `origin` names the document in errors ("config file 'x'").
// Throws config_error on invalid JSON, unknown keys, wrong types or invalid values.
void apply_config_json(config& cfg, std::string_view json_text, std::string_view origin);

// Every flag and environment variable with its default and meaning.
std::string help_text();

// `cfg` as a JSON document shaped like config/troupe.json (e.g. to log the effective settings).
std::string dump_config(const config& cfg);

}  // namespace troupe
