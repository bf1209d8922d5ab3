// load_config: precedence (flags > environment > file > defaults), every flag and variable, and
// every kind of invalid setting, each reported with where it came from.
#include "config/load_config.hpp"

#include "config_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

namespace {

using namespace troupe;
using namespace std::chrono_literals;
using test::load;
using test::load_error;
using test::temp_file;

void expect_mentions(const std::string& message, std::initializer_list<std::string_view> parts) {
  for (auto part : parts) {
    EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
  }
}

TEST(load_config, file_overrides_defaults) {
  temp_file file(R"({"server":{"port":9001},"log":{"format":"json"},"rooms":{"history":5}})");
  const config c = load({"--config", file.path()});
  EXPECT_EQ(c.server.port, 9001);
  EXPECT_EQ(c.log.format, log_format::json);
  EXPECT_EQ(c.rooms.history, 5u);
  config expected;
  expected.server.port = 9001;
  expected.log.format = log_format::json;
  expected.rooms.history = 5;
  EXPECT_EQ(c, expected) << "keys the file leaves out keep their defaults";
}

TEST(load_config, file_named_by_environment) {
  temp_file file(R"({"node":{"id":"from-file"}})");
  EXPECT_EQ(load({}, {{"TROUPE_CONFIG", file.path()}}).node.id, "from-file");
  EXPECT_EQ(load({"--config=" + file.path()}).node.id, "from-file");
}

TEST(load_config, config_flag_beats_config_variable) {
  temp_file file(R"({"node":{"id":"from-flag-file"}})");
  const config c = load({"--config", file.path()}, {{"TROUPE_CONFIG", "/nonexistent/troupe.json"}});
  EXPECT_EQ(c.node.id, "from-flag-file");
}

TEST(load_config, environment_beats_file) {
  temp_file file(R"({"server":{"port":9001,"host":"127.0.0.1"}})");
  const config c = load({"--config", file.path()}, {{"TROUPE_PORT", "9002"}});
  EXPECT_EQ(c.server.port, 9002);
  EXPECT_EQ(c.server.host, "127.0.0.1");
}

TEST(load_config, flags_beat_environment) {
  temp_file file(R"({"server":{"port":9001}})");
  const test::environment env = {{"TROUPE_PORT", "9002"}, {"TROUPE_THREADS", "3"}};
  EXPECT_EQ(load({"--config", file.path(), "--port", "9003"}, env).server.port, 9003);
  EXPECT_EQ(load({"--port=9004", "--config", file.path()}, env).server.port, 9004);
  EXPECT_EQ(load({"--port=9004"}, env).server.threads, 3u);
}

TEST(load_config, a_flag_leaves_its_environment_variable_unread) {
  // Kubernetes gives every pod in the namespace of a Service named troupe this variable.
  const test::environment k8s = {{"TROUPE_PORT", "tcp://10.96.0.12:8080"}};
  EXPECT_EQ(load({"--port", "9003"}, k8s).server.port, 9003);
  expect_mentions(load_error({}, k8s),
                  {"environment variable TROUPE_PORT", "'tcp://10.96.0.12:8080'", "Kubernetes",
                   "enableServiceLinks", "--port"});
  // A bad variable for a setting no flag gives still stops the server, and no hint is added.
  const std::string e = load_error({"--port", "9003"}, {{"TROUPE_THREADS", "two"}});
  expect_mentions(e, {"environment variable TROUPE_THREADS", "'two'"});
  EXPECT_EQ(e.find("Kubernetes"), std::string::npos) << e;
}

TEST(load_config, the_last_repeated_flag_wins) {
  EXPECT_EQ(load({"--port", "1000", "--port=2000"}).server.port, 2000);
}

TEST(load_config, empty_environment_variables_are_ignored) {
  EXPECT_EQ(load({}, {{"TROUPE_PORT", ""}, {"TROUPE_NODE_ID", ""}, {"TROUPE_CONFIG", ""}}),
            config{});
}

// One row per setting: its flag, its variable, a value, and the field that value must land in.
struct setting_case {
  std::string flag;
  std::string env;
  std::string value;
  std::function<bool(const config&)> applied;
};

std::vector<setting_case> setting_cases() {
  return {
      {"--host", "TROUPE_HOST", "127.0.0.2",
       [](const config& c) { return c.server.host == "127.0.0.2"; }},
      {"--port", "TROUPE_PORT", "65535", [](const config& c) { return c.server.port == 65535; }},
      {"--threads", "TROUPE_THREADS", "7", [](const config& c) { return c.server.threads == 7; }},
      {"--web-root", "TROUPE_WEB_ROOT", "/srv/www",
       [](const config& c) { return c.server.web_root == "/srv/www"; }},
      {"--allowed-origins", "TROUPE_ALLOWED_ORIGINS", "https://chat.example.com",
       [](const config& c) { return c.server.allowed_origins == "https://chat.example.com"; }},
      {"--max-connections", "TROUPE_MAX_CONNECTIONS", "12",
       [](const config& c) { return c.server.max_connections == 12; }},
      {"--handshake-timeout-ms", "TROUPE_HANDSHAKE_TIMEOUT_MS", "250",
       [](const config& c) { return c.server.handshake_timeout_ms == 250ms; }},
      {"--idle-timeout-ms", "TROUPE_IDLE_TIMEOUT_MS", "251",
       [](const config& c) { return c.server.idle_timeout_ms == 251ms; }},
      {"--node-id", "TROUPE_NODE_ID", "node-7",
       [](const config& c) { return c.node.id == "node-7"; }},
      {"--log-level", "TROUPE_LOG_LEVEL", "warn",
       [](const config& c) { return c.log.level == "warn"; }},
      {"--log-format", "TROUPE_LOG_FORMAT", "json",
       [](const config& c) { return c.log.format == log_format::json; }},
      {"--max-message-bytes", "TROUPE_MAX_MESSAGE_BYTES", "100000",
       [](const config& c) { return c.limits.max_message_bytes == 100000; }},
      {"--max-text-bytes", "TROUPE_MAX_TEXT_BYTES", "10",
       [](const config& c) { return c.limits.max_text_bytes == 10; }},
      {"--outbound-queue", "TROUPE_OUTBOUND_QUEUE", "11",
       [](const config& c) { return c.limits.outbound_queue == 11; }},
      {"--outbound-bytes", "TROUPE_OUTBOUND_BYTES", "4096",
       [](const config& c) { return c.limits.outbound_bytes == 4096; }},
      {"--ask-timeout-ms", "TROUPE_ASK_TIMEOUT_MS", "12",
       [](const config& c) { return c.limits.ask_timeout_ms == 12ms; }},
      {"--max-rooms", "TROUPE_MAX_ROOMS", "18",
       [](const config& c) { return c.limits.max_rooms == 18; }},
      {"--max-counters", "TROUPE_MAX_COUNTERS", "19",
       [](const config& c) { return c.limits.max_counters == 19; }},
      {"--max-subscriptions", "TROUPE_MAX_SUBSCRIPTIONS", "20",
       [](const config& c) { return c.limits.max_subscriptions == 20; }},
      {"--mailbox-capacity", "TROUPE_MAILBOX_CAPACITY", "13",
       [](const config& c) { return c.actors.mailbox_capacity == 13; }},
      {"--room-history", "TROUPE_ROOM_HISTORY", "14",
       [](const config& c) { return c.rooms.history == 14; }},
      {"--room-idle-ms", "TROUPE_ROOM_IDLE_MS", "15",
       [](const config& c) { return c.rooms.idle_ms == 15ms; }},
      {"--echo-workers", "TROUPE_ECHO_WORKERS", "16",
       [](const config& c) { return c.workers.echo == 16; }},
      {"--shutdown-grace-ms", "TROUPE_SHUTDOWN_GRACE_MS", "17",
       [](const config& c) { return c.shutdown.grace_ms == 17ms; }},
  };
}

TEST(load_config, every_flag_sets_its_setting) {
  for (const auto& s : setting_cases()) {
    EXPECT_TRUE(s.applied(load({s.flag, s.value}))) << s.flag << " " << s.value;
    EXPECT_TRUE(s.applied(load({s.flag + "=" + s.value}))) << s.flag << "=" << s.value;
    EXPECT_FALSE(s.applied(config{})) << s.flag << ": pick a value other than the default";
  }
}

TEST(load_config, every_environment_variable_sets_its_setting) {
  for (const auto& s : setting_cases()) {
    EXPECT_TRUE(s.applied(load({}, {{s.env, s.value}}))) << s.env << "=" << s.value;
  }
}

TEST(load_config, values_at_the_edges_of_their_ranges) {
  EXPECT_EQ(load({"--port", "1"}).server.port, 1);
  EXPECT_EQ(load({"--threads", "0"}).server.threads, 0u);
  EXPECT_EQ(load({"--echo-workers", "0"}).workers.echo, 0u);
  EXPECT_EQ(load({"--shutdown-grace-ms", "0"}).shutdown.grace_ms, 0ms);
  EXPECT_EQ(load({"--node-id="}).node.id, "");
  EXPECT_EQ(load({"--node-id", "has spaces = and more"}).node.id, "has spaces = and more");
  EXPECT_EQ(load({"--node-id=a=b"}).node.id, "a=b");
}

TEST(load_config, invalid_ports) {
  expect_mentions(load_error({"--port", "0"}), {"flag --port", "from 1 to 65535", "'0'"});
  expect_mentions(load_error({"--port=65536"}), {"flag --port", "from 1 to 65535", "'65536'"});
  expect_mentions(load_error({}, {{"TROUPE_PORT", "70000"}}),
                  {"environment variable TROUPE_PORT", "from 1 to 65535", "'70000'"});
  expect_mentions(load_error({}, {{"TROUPE_PORT", "http"}}), {"TROUPE_PORT", "'http'"});
  expect_mentions(load_error({"--port", "80x"}), {"flag --port", "'80x'"});
  expect_mentions(load_error({"--port", " 80"}), {"flag --port", "' 80'"});
  expect_mentions(load_error({"--port="}), {"flag --port", "''"});
  expect_mentions(load_error({"--port", "99999999999999999999999"}), {"flag --port"});
}

TEST(load_config, sizes_and_durations_must_be_positive) {
  for (const char* flag :
       {"--max-connections", "--max-message-bytes", "--max-text-bytes", "--outbound-queue",
        "--outbound-bytes", "--ask-timeout-ms", "--mailbox-capacity", "--room-history",
        "--room-idle-ms", "--handshake-timeout-ms", "--idle-timeout-ms"}) {
    expect_mentions(load_error({flag, "0"}), {std::string("flag ") + flag, "an integer from 1"});
    expect_mentions(load_error({flag, "-5"}), {std::string("flag ") + flag, "'-5'"});
  }
  expect_mentions(load_error({"--threads", "-1"}), {"flag --threads", "from 0 to 1024"});
  expect_mentions(load_error({"--shutdown-grace-ms", "-1"}), {"flag --shutdown-grace-ms"});
  expect_mentions(load_error({}, {{"TROUPE_MAILBOX_CAPACITY", "0"}}),
                  {"environment variable TROUPE_MAILBOX_CAPACITY"});
}

TEST(load_config, log_level_and_format_are_checked) {
  expect_mentions(
      load_error({"--log-level", "loud"}),
      {"flag --log-level", "one of trace, debug, info, warn, error, critical, off", "'loud'"});
  expect_mentions(load_error({}, {{"TROUPE_LOG_LEVEL", "INFO"}}), {"TROUPE_LOG_LEVEL", "'INFO'"});
  expect_mentions(load_error({"--log-format=xml"}), {"flag --log-format", "one of text, json"});
  for (const char* level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
    EXPECT_EQ(load({"--log-level", level}).log.level, level);
  }
}

TEST(load_config, host_must_be_an_ip_address) {
  // The listener binds without resolving names: "localhost" would fail only at startup.
  expect_mentions(load_error({"--host="}), {"flag --host", "an IPv4 or IPv6 address", "''"});
  expect_mentions(load_error({"--host", "localhost"}),
                  {"flag --host", "an IPv4 or IPv6 address", "'localhost'"});
  expect_mentions(load_error({}, {{"TROUPE_HOST", "example.org"}}),
                  {"TROUPE_HOST", "'example.org'"});
  expect_mentions(load_error({"--host", "127.0.0.256"}), {"flag --host", "'127.0.0.256'"});
  temp_file file(R"({"server":{"host":"my-host"}})");
  expect_mentions(load_error({"--config", file.path()}), {"key 'server.host'", "'my-host'"});
  for (const char* host : {"0.0.0.0", "127.0.0.1", "::", "::1", "fe80::1"})
    EXPECT_EQ(load({"--host", host}).server.host, host);
}

TEST(load_config, web_root_must_not_be_empty) {
  expect_mentions(load_error({"--web-root="}), {"flag --web-root", "non-empty"});
  temp_file file(R"({"server":{"web_root":""}})");
  expect_mentions(load_error({"--config", file.path()}), {"key 'server.web_root'", "non-empty"});
}

TEST(load_config, allowed_origins_are_checked_and_may_be_a_json_array) {
  expect_mentions(load_error({"--allowed-origins", "https://chat.example.com/"}),
                  {"flag --allowed-origins", "no path", "got 'https://chat.example.com/'"});
  expect_mentions(load_error({}, {{"TROUPE_ALLOWED_ORIGINS", "chat.example.com"}}),
                  {"TROUPE_ALLOWED_ORIGINS", "scheme://host", "got 'chat.example.com'"});
  expect_mentions(load_error({"--allowed-origins", "https://a.example,,https://b.example"}),
                  {"flag --allowed-origins", "empty entry"});
  expect_mentions(load_error({"--allowed-origins", "https://a.example\n"}),
                  {"got 'https://a.example\\n'"});
  expect_mentions(load_error({"--allowed-origins="}), {"flag --allowed-origins", "write self"});
  EXPECT_EQ(load({"--allowed-origins", "self"}).server.allowed_origins, "self");
  EXPECT_EQ(load({"--allowed-origins", "*"}).server.allowed_origins, "*");
  // An empty variable counts as unset (as for every setting): the default, not "self".
  EXPECT_EQ(load({}, {{"TROUPE_ALLOWED_ORIGINS", ""}}).server.allowed_origins, "*");

  temp_file list(R"({"server":{"allowed_origins":["https://a.example","http://localhost:3000"]}})");
  EXPECT_EQ(load({"--config", list.path()}).server.allowed_origins,
            "https://a.example, http://localhost:3000");
  temp_file empty(R"({"server":{"allowed_origins":[]}})");
  expect_mentions(load_error({"--config", empty.path()}), {"write self"});
  for (const char* bad : {R"(["", "https://a.example"])", R"(["https://a.example", ""])",
                          R"(["https://a.example,https://b.example"])"}) {
    temp_file file(std::string(R"({"server":{"allowed_origins":)") + bad + "}}");
    expect_mentions(load_error({"--config", file.path()}),
                    {"key 'server.allowed_origins'", "single origins"});
  }
  temp_file bad_entry(R"({"server":{"allowed_origins":["https://a.example", 3]}})");
  expect_mentions(load_error({"--config", bad_entry.path()}),
                  {"key 'server.allowed_origins'", "an array holding an integer"});
  temp_file bad_origin(R"({"server":{"allowed_origins":["ftp://a.example"]}})");
  expect_mentions(load_error({"--config", bad_origin.path()}),
                  {"key 'server.allowed_origins'", "http or https", "got 'ftp://a.example'"});
}

TEST(load_config, text_limit_must_fit_in_a_message) {
  const std::string e = load_error({"--max-text-bytes", "70000"});
  expect_mentions(e, {"limits.max_text_bytes (70000, from flag --max-text-bytes)",
                      "limits.max_message_bytes (65536, from the built-in default)"});
  temp_file file(R"({"limits":{"max_message_bytes":100}})");
  expect_mentions(load_error({"--config", file.path()}, {{"TROUPE_MAX_TEXT_BYTES", "101"}}),
                  {"environment variable TROUPE_MAX_TEXT_BYTES", file.path()});
  EXPECT_EQ(load({"--max-text-bytes", "65536"}).limits.max_text_bytes, 65536u);
}

TEST(load_config, node_id_must_be_printable_utf8) {
  // It goes out in JSON (welcome frames, /api/node): invalid UTF-8 there fails the encoder.
  for (const std::string& bad : std::vector<std::string>{"n\xff", "a\tb", "line\nbreak",
                                                         "c1\xc2\x85", "del\x7f", "\xed\xa0\x80"}) {
    SCOPED_TRACE(bad);
    const auto message = load_error({"--node-id", bad});
    expect_mentions(message, {"flag --node-id", "UTF-8 text without control characters"});
    // One line: the value's control characters are escaped, not printed.
    EXPECT_TRUE(std::none_of(message.begin(), message.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 || c == '\x7f';
    })) << message;
    expect_mentions(load_error({}, {{"TROUPE_NODE_ID", bad}}), {"TROUPE_NODE_ID"});
  }
  expect_mentions(load_error({"--node-id", "line\nbreak"}), {"got 'line\\nbreak'"});
  expect_mentions(load_error({"--node-id", "del\x7f"}), {"got 'del\\x7f'"});
  temp_file file(R"({"node":{"id":"tab\there"}})");
  expect_mentions(load_error({"--config", file.path()}),
                  {"key 'node.id'", "without control characters"});
  for (const char* good : {"", "node-1", "knoten-\xc3\xbc", "\xe2\x98\x83 snow", "a b"})
    EXPECT_EQ(load({"--node-id", good}).node.id, good);
}

TEST(load_config, a_key_given_twice_in_the_file_is_an_error) {
  // JSON parsers keep the last of two equal keys: the first value (or a whole first section)
  // would be dropped without a word.
  const std::pair<const char*, const char*> cases[] = {
      {R"({"server":{"port":9001,"port":9002}})", "key 'server.port' is given twice"},
      {R"({"server":{"port":9001},"server":{"threads":2}})", "key 'server' is given twice"},
      {R"({"log":{"level":"info"},"server":{"port":1},"log":{"format":"json"}})",
       "key 'log' is given twice"},
  };
  for (const auto& [text, part] : cases) {
    SCOPED_TRACE(text);
    temp_file file(text);
    expect_mentions(load_error({"--config", file.path()}),
                    {"config file '" + file.path() + "'", part});
  }
  // The same key in two different sections is no repeat.
  temp_file fine(R"({"server":{"port":9001},"rooms":{"history":5,"idle_ms":100}})");
  EXPECT_EQ(load({"--config", fine.path()}).server.port, 9001);
}

TEST(load_config, unknown_keys_in_the_file) {
  temp_file key(R"({"server":{"prot":8080}})");
  expect_mentions(load_error({"--config", key.path()}),
                  {"config file '" + key.path() + "'", "unknown key 'server.prot'", "port"});
  temp_file section(R"({"serverz":{}})");
  expect_mentions(load_error({"--config", section.path()}),
                  {"unknown key 'serverz'", "server, node, log, limits"});
}

TEST(load_config, wrong_json_types_in_the_file) {
  const std::pair<const char*, std::vector<std::string_view>> cases[] = {
      {R"({"server":{"port":"8080"}})", {"key 'server.port'", "got a string"}},
      {R"({"server":{"port":8080.5}})", {"key 'server.port'", "got a non-integer number"}},
      {R"({"server":{"port":-1}})", {"key 'server.port'", "got -1"}},
      {R"({"server":{"port":18446744073709551615}})",
       {"key 'server.port'", "got 18446744073709551615"}},
      {R"({"server":{"threads":true}})", {"key 'server.threads'", "got a boolean"}},
      {R"({"server":{"host":5}})",
       {"key 'server.host'",
        "an IPv4 or IPv6 address such as 0.0.0.0, 127.0.0.1 or ::, got an integer"}},
      {R"({"node":{"id":null}})", {"key 'node.id'", "got null"}},
      {R"({"log":{"level":3}})", {"key 'log.level'", "one of trace"}},
      {R"({"log":{"format":"xml"}})", {"key 'log.format'", "'xml'"}},
      {R"({"rooms":{"history":0}})", {"key 'rooms.history'", "got 0"}},
      {R"({"server":5})", {"key 'server' must be an object", "got an integer"}},
      {R"([1,2])", {"must hold a JSON object", "got an array"}},
  };
  for (const auto& [text, parts] : cases) {
    SCOPED_TRACE(text);
    temp_file file(text);
    const std::string e = load_error({"--config", file.path()});
    expect_mentions(e, {"config file '" + file.path() + "'"});
    for (auto part : parts) expect_mentions(e, {part});
  }
}

TEST(load_config, unreadable_or_unparseable_files) {
  expect_mentions(load_error({"--config", "/nonexistent/troupe.json"}),
                  {"config file '/nonexistent/troupe.json'", "from flag --config", "cannot read"});
  expect_mentions(load_error({}, {{"TROUPE_CONFIG", "/nonexistent/x.json"}}),
                  {"from environment variable TROUPE_CONFIG", "cannot read"});
  expect_mentions(load_error({"--config", ::testing::TempDir()}), {"is a directory"});
  temp_file broken("{\n  \"server\": {\"port\": 80,}\n}");
  expect_mentions(load_error({"--config", broken.path()}), {"not valid JSON", "line 2"});
  temp_file empty("");
  expect_mentions(load_error({"--config", empty.path()}), {"not valid JSON"});
}

TEST(load_config, command_line_mistakes) {
  expect_mentions(load_error({"--prot", "80"}), {"unknown flag '--prot'", "--help"});
  expect_mentions(load_error({"--port"}), {"flag --port needs a value"});
  expect_mentions(load_error({"--port", "--threads", "2"}), {"flag --port needs a value"});
  expect_mentions(load_error({"8080"}), {"unexpected argument '8080'"});
  expect_mentions(load_error({"-p", "8080"}), {"unexpected argument '-p'"});
  expect_mentions(load_error({"--config"}), {"flag --config needs a value"});
  expect_mentions(load_error({"--config="}), {"flag --config needs a file name"});
}

TEST(load_config, help_wins_over_everything_else) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--help"},
                                                                {"-h"},
                                                                {"--port", "0", "--help"},
                                                                {"--bogus", "-h"},
                                                                {"--node-id=x", "-h"}}) {
    try {
      load(args);
      ADD_FAILURE() << "no help_requested";
    } catch (const help_requested& h) {
      EXPECT_EQ(h.text(), help_text());
      EXPECT_STREQ(h.what(), help_text().c_str());
    }
  }
}

TEST(load_config, a_flag_value_that_looks_like_help_is_a_value) {
  EXPECT_EQ(load({"--node-id", "-h"}).node.id, "-h");
  expect_mentions(load_error({"--log-level", "-h"}), {"flag --log-level", "'-h'"});
}

}  // namespace
