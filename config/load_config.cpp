#include "config/load_config.hpp"

#include "config/default_config.hpp"
#include "config/settings.hpp"
#include "server/protocol/json_describe.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

namespace troupe {
namespace {

using json = nlohmann::json;

constexpr std::string_view config_flag = "--config";
constexpr std::string_view config_env = "TROUPE_CONFIG";
constexpr std::string_view built_in = "the built-in default";

// Where each setting's current value came from (indexed like settings()), for errors about
// two settings at once.
using origin_list = std::vector<std::string>;

std::size_t index_of(const setting& s) {
  return static_cast<std::size_t>(&s - settings().data());
}

const setting* find_flag(std::string_view flag) {
  for (const auto& s : settings()) {
    if (s.flag == flag) return &s;
  }
  return nullptr;
}

const setting* find_key(std::string_view section, std::string_view key) {
  for (const auto& s : settings()) {
    if (s.section == section && s.key == key) return &s;
  }
  return nullptr;
}

const setting& by_path(std::string_view section, std::string_view key) {
  const setting* s = find_key(section, key);
  if (s == nullptr)
    throw std::logic_error("no setting " + std::string(section) + "." + std::string(key));
  return *s;
}

// "server, node, log, ..." or, given a section, "host, port, ...".
std::string known_keys(std::optional<std::string_view> section = std::nullopt) {
  std::string out;
  std::string_view last;
  for (const auto& s : settings()) {
    const std::string_view name = section ? s.key : s.section;
    if (section && s.section != *section) continue;
    if (!section && name == last) continue;
    if (!out.empty()) out += ", ";
    out += name;
    last = name;
  }
  return out;
}

// JSON lets an object repeat a key and nlohmann keeps the last one: a second "port", or a second
// "server" section, would silently undo what came first. A config file must not.
json::parser_callback_t reject_duplicate_keys(const std::string& where) {
  auto open = std::make_shared<std::vector<std::vector<std::string>>>();  // keys seen per object
  return [open, where](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        open->emplace_back();
        break;
      case json::parse_event_t::object_end:
        open->pop_back();
        break;
      case json::parse_event_t::key: {
        auto& keys = open->back();
        auto key = parsed.get<std::string>();
        if (std::find(keys.begin(), keys.end(), key) != keys.end()) {
          std::string path;
          for (std::size_t depth = 0; depth + 1 < open->size(); ++depth)
            path += (*open)[depth].back() + ".";
          throw config_error(where + ": key " + in_quotes(path + key) + " is given twice");
        }
        keys.push_back(std::move(key));
        break;
      }
      default:
        break;
    }
    return true;
  };
}

void apply_document(config& cfg, std::string_view text, std::string_view origin,
                    origin_list* origins) {
  const std::string where(origin);
  json doc;
  try {
    doc = json::parse(text, reject_duplicate_keys(where));
  } catch (const json::exception& e) {
    std::string_view what = e.what();  // "[json.exception.parse_error.101] parse error at ..."
    if (auto tag_end = what.find("] "); tag_end != std::string_view::npos) {
      what.remove_prefix(tag_end + 2);
    }
    throw config_error(where + ": not valid JSON: " + std::string(what));
  }
  if (!doc.is_object()) {
    throw config_error(where + ": must hold a JSON object, got " +
                       std::string(protocol::describe(doc)));
  }
  for (const auto& [section, body] : doc.items()) {
    if (known_keys(section).empty()) {
      throw config_error(where + ": unknown key " + in_quotes(section) +
                         " (known: " + known_keys() + ")");
    }
    if (!body.is_object()) {
      throw config_error(where + ": key " + in_quotes(section) + " must be an object, got " +
                         std::string(protocol::describe(body)));
    }
    for (const auto& [key, value] : body.items()) {
      const setting* s = find_key(section, key);
      if (s == nullptr) {
        throw config_error(where + ": unknown key " + in_quotes(section + "." + key) +
                           " (known in " + in_quotes(section) + ": " + known_keys(section) + ")");
      }
      if (auto wrong = s->assign_json(cfg, value)) {
        throw config_error(where + ": key " + in_quotes(s->path()) + ": " + *wrong);
      }
      if (origins != nullptr) (*origins)[index_of(*s)] = where;
    }
  }
}

std::string read_file(const std::string& path, std::string_view where) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw config_error(std::string(where) + ": cannot read: it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config_error(std::string(where) + ": cannot read: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw config_error(std::string(where) + ": cannot read: " + std::strerror(errno));
  return std::move(text).str();
}

struct flag_value {
  const setting* target;
  std::string value;
};

struct command_line {
  std::optional<std::string> config_file;
  std::vector<flag_value> flags;  // in the order given; later ones win
};

// `--flag VALUE`: a known flag without "=" takes the next argument as its value, unless that is
// a flag.
bool takes_next_as_value(std::string_view arg, const char* next) {
  return (arg == config_flag || find_flag(arg) != nullptr) && next != nullptr &&
         !std::string_view(next).starts_with("--");
}

command_line parse_command_line(int argc, char** argv) {
  command_line cl;
  // Help wins over any mistake elsewhere on the line, but only where a flag stands: in
  // `--node-id -h`, "-h" is the id.
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") throw help_requested(help_text());
    if (takes_next_as_value(arg, i + 1 < argc ? argv[i + 1] : nullptr)) ++i;
  }
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (!arg.starts_with("--")) {
      throw config_error("unexpected argument " + in_quotes(arg) +
                         " (settings are given as --flag VALUE; see --help)");
    }
    const auto eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    const setting* target = nullptr;
    if (name != config_flag) {
      target = find_flag(name);
      if (target == nullptr)
        throw config_error("unknown flag " + in_quotes(name) + " (see --help)");
    }
    std::string value;
    if (eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
    } else if (takes_next_as_value(arg, i + 1 < argc ? argv[i + 1] : nullptr)) {
      value = argv[++i];
    } else {
      throw config_error("flag " + std::string(name) + " needs a value");
    }
    if (target != nullptr) {
      cl.flags.push_back({target, std::move(value)});
    } else if (value.empty()) {
      throw config_error("flag --config needs a file name");
    } else {
      cl.config_file = std::move(value);
    }
  }
  return cl;
}

bool set_by_flag(const command_line& cl, const setting& s) {
  return std::any_of(cl.flags.begin(), cl.flags.end(),
                     [&](const flag_value& f) { return f.target == &s; });
}

// Rules that involve more than one setting.
void check_consistency(const config& cfg, const origin_list& origins) {
  if (cfg.limits.max_text_bytes > cfg.limits.max_message_bytes) {
    const setting& text = by_path("limits", "max_text_bytes");
    const setting& message = by_path("limits", "max_message_bytes");
    throw config_error(text.path() + " (" + std::to_string(cfg.limits.max_text_bytes) + ", from " +
                       origins[index_of(text)] + ") must not exceed " + message.path() + " (" +
                       std::to_string(cfg.limits.max_message_bytes) + ", from " +
                       origins[index_of(message)] + ")");
  }
}

}  // namespace

void apply_config_json(config& cfg, std::string_view json_text, std::string_view origin) {
  apply_document(cfg, json_text, origin, nullptr);
}

config load_config(int argc, char** argv, const getenv_function& getenv) {
  const command_line cl = parse_command_line(argc, argv);
  const auto env = [&](std::string_view name) -> std::optional<std::string> {
    const char* v = getenv(std::string(name).c_str());
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };

  config cfg;
  apply_document(cfg, default_config_text(), "the built-in config/troupe.json", nullptr);
  origin_list origins(settings().size(), std::string(built_in));

  std::optional<std::string> file = cl.config_file;
  std::string file_source = "flag --config";
  if (!file) {
    file = env(config_env);
    file_source = "environment variable " + std::string(config_env);
  }
  if (file) {
    const std::string where = "config file " + in_quotes(*file) + " (from " + file_source + ")";
    apply_document(cfg, read_file(*file, where), where, &origins);
  }

  for (const auto& s : settings()) {
    // A flag overrides the variable, so a variable it overrides is not even read: an
    // environment one cannot clean up (Kubernetes gives every pod TROUPE_PORT=tcp://... when a
    // Service is named troupe) must not stop a server told --port.
    if (set_by_flag(cl, s)) continue;
    const auto value = env(s.env);
    if (!value) continue;
    const std::string where = "environment variable " + std::string(s.env);
    if (auto wrong = s.assign_text(cfg, *value)) {
      std::string hint;
      if (s.env == "TROUPE_PORT" && value->starts_with("tcp://"))
        hint =
            " (Kubernetes sets it for a Service named troupe: rename the Service, set "
            "enableServiceLinks: false, or pass " +
            std::string(s.flag) + ")";
      throw config_error(where + ": " + *wrong + hint);
    }
    origins[index_of(s)] = where;
  }

  for (const auto& [target, value] : cl.flags) {
    const std::string where = "flag " + std::string(target->flag);
    if (auto wrong = target->assign_text(cfg, value)) throw config_error(where + ": " + *wrong);
    origins[index_of(*target)] = where;
  }

  check_consistency(cfg, origins);
  return cfg;
}

std::string help_text() {
  const config defaults;
  std::string out =
      "usage: troupe [--config FILE] [--FLAG VALUE | --FLAG=VALUE]... [--help]\n"
      "\n"
      "troupe: a WebSocket actor server.\n"
      "\n"
      "Each setting is taken from, highest precedence first: its command-line flag, its\n"
      "environment variable (empty ones are ignored), the JSON file named by --config or\n"
      "TROUPE_CONFIG (shaped like config/troupe.json; keys it leaves out keep their value),\n"
      "and the built-in default. Invalid settings are reported and the server exits with\n"
      "status 2.\n"
      "\n"
      "  --config FILE  (env TROUPE_CONFIG)\n"
      "      JSON settings file\n"
      "  --help, -h\n"
      "      print this help and exit\n";
  std::string_view section;
  for (const auto& s : settings()) {
    if (s.section != section) {
      section = s.section;
      out += "\n";
      out += section;
      out += ":\n";
    }
    out += "  ";
    out += s.flag;
    out += ' ';
    out += s.value_name;
    out += "  (env ";
    out += s.env;
    out += ", file ";
    out += s.path();
    out += ", default ";
    out += s.value(defaults).dump();
    out += ")\n      ";
    out += s.meaning;
    out += " (";
    out += s.expected();
    out += ")\n";
  }
  return out;
}

std::string dump_config(const config& cfg) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  for (const auto& s : settings()) {
    doc[std::string(s.section)][std::string(s.key)] = nlohmann::ordered_json(s.value(cfg));
  }
  return doc.dump(2);
}

}  // namespace troupe
