// Built-in defaults: the struct, the embedded config/troupe.json, and that the two agree.
#include "config/config.hpp"

#include "config/default_config.hpp"
#include "config/load_config.hpp"
#include "config_test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <thread>

namespace {

using namespace troupe;
using namespace std::chrono_literals;

TEST(config_defaults, struct_holds_the_documented_defaults) {
  const config c;
  EXPECT_EQ(c.server.host, "0.0.0.0");
  EXPECT_EQ(c.server.port, 8080);
  EXPECT_EQ(c.server.threads, 0u);
  EXPECT_EQ(c.server.web_root, "web");
  EXPECT_EQ(c.server.max_connections, 19000u);
  EXPECT_EQ(c.server.handshake_timeout_ms, 10000ms);
  EXPECT_EQ(c.server.idle_timeout_ms, 60000ms);
  EXPECT_EQ(c.node.id, "");
  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.log.format, log_format::text);
  EXPECT_EQ(c.limits.max_message_bytes, 65536u);
  EXPECT_EQ(c.limits.max_text_bytes, 4096u);
  EXPECT_EQ(c.limits.outbound_queue, 1024u);
  EXPECT_EQ(c.limits.outbound_bytes, 4194304u);
  EXPECT_EQ(c.limits.ask_timeout_ms, 5000ms);
  EXPECT_EQ(c.limits.max_rooms, 1000u);
  EXPECT_EQ(c.limits.max_counters, 100000u);
  EXPECT_EQ(c.limits.max_subscriptions, 100u);
  EXPECT_EQ(c.actors.mailbox_capacity, 1024u);
  EXPECT_EQ(c.rooms.history, 100u);
  EXPECT_EQ(c.rooms.idle_ms, 30000ms);
  EXPECT_EQ(c.workers.echo, 0u);
  EXPECT_EQ(c.shutdown.grace_ms, 5000ms);
}

TEST(config_defaults, loading_nothing_gives_the_defaults) {
  EXPECT_EQ(test::load({}), config{});
}

TEST(config_defaults, embedded_file_holds_every_setting) {
  const auto doc = nlohmann::json::parse(default_config_text());
  std::set<std::string> keys;
  for (const auto& [section, body] : doc.items()) {
    for (const auto& [key, value] : body.items()) keys.insert(section + "." + key);
  }
  const std::set<std::string> expected = {"server.host",
                                          "server.port",
                                          "server.threads",
                                          "server.send_batching",
                                          "server.web_root",
                                          "server.allowed_origins",
                                          "server.max_connections",
                                          "server.handshake_timeout_ms",
                                          "server.idle_timeout_ms",
                                          "node.id",
                                          "log.level",
                                          "log.format",
                                          "limits.max_message_bytes",
                                          "limits.max_text_bytes",
                                          "limits.outbound_queue",
                                          "limits.outbound_bytes",
                                          "limits.ask_timeout_ms",
                                          "limits.max_rooms",
                                          "limits.max_counters",
                                          "limits.max_subscriptions",
                                          "actors.mailbox_capacity",
                                          "rooms.history",
                                          "rooms.idle_ms",
                                          "workers.echo",
                                          "shutdown.grace_ms"};
  EXPECT_EQ(keys, expected);
}

TEST(config_defaults, embedded_file_equals_the_struct_defaults) {
  // Start from a config where every field differs from its default: applying the file must
  // restore each one, so a field the file misses or sets differently fails here.
  config c;
  c.server = {"127.0.0.1", 1, 3, false, "elsewhere", "", 5, 1ms, 2ms};
  c.node.id = "other";
  c.log = {"trace", log_format::json};
  c.limits = {1, 1, 1, 1, 1ms, 1, 1, 1};
  c.actors.mailbox_capacity = 1;
  c.rooms = {1, 1ms};
  c.workers.echo = 9;
  c.shutdown.grace_ms = 1ms;
  apply_config_json(c, default_config_text(), "embedded");
  EXPECT_EQ(c, config{});
}

TEST(config_defaults, dump_of_the_defaults_matches_the_embedded_file) {
  EXPECT_EQ(nlohmann::json::parse(dump_config(config{})),
            nlohmann::json::parse(default_config_text()));
}

TEST(config_defaults, dump_round_trips) {
  config c;
  c.server.port = 9999;
  c.log.format = log_format::json;
  c.rooms.idle_ms = 1234ms;
  config back;
  apply_config_json(back, dump_config(c), "dump");
  EXPECT_EQ(back, c);
}

TEST(config_defaults, effective_values) {
  config c;
  const unsigned hw = std::thread::hardware_concurrency();
  EXPECT_EQ(effective_threads(c), hw == 0 ? 1u : hw);
  EXPECT_EQ(effective_echo_workers(c), effective_threads(c));
  c.server.threads = 3;
  EXPECT_EQ(effective_threads(c), 3u);
  EXPECT_EQ(effective_echo_workers(c), 3u);
  c.workers.echo = 5;
  EXPECT_EQ(effective_echo_workers(c), 5u);

  c.server.port = 9123;
  const std::string derived = effective_node_id(c);
  EXPECT_GT(derived.size(), std::string(":9123").size());
  EXPECT_EQ(derived.substr(derived.size() - 5), ":9123");
  c.node.id = "node-a";
  EXPECT_EQ(effective_node_id(c), "node-a");
}

}  // namespace
