// origin_policy: which Origin headers may open a WebSocket (server.allowed_origins).
#include "config/origin_policy.hpp"

#include <gtest/gtest.h>

#include <string>

namespace troupe {
namespace {

origin_policy policy(std::string_view text) {
  auto parsed = origin_policy::parse(text);
  if (const auto* problem = std::get_if<std::string>(&parsed)) {
    ADD_FAILURE() << "'" << text << "' refused: " << *problem;
    return {};
  }
  return std::get<origin_policy>(std::move(parsed));
}

std::string problem_with(std::string_view text) {
  auto parsed = origin_policy::parse(text);
  if (const auto* problem = std::get_if<std::string>(&parsed)) return *problem;
  ADD_FAILURE() << "'" << text << "' accepted";
  return {};
}

TEST(origin_policy, any_origin_by_default_and_with_a_star) {
  for (const auto& p : {origin_policy{}, policy("*"), policy(" * ")}) {
    EXPECT_TRUE(p.admits("https://evil.example", "chat.example.com"));
    EXPECT_TRUE(p.admits("null", "chat.example.com"));
    EXPECT_TRUE(p.admits("", "chat.example.com"));
  }
}

TEST(origin_policy, a_list_admits_its_origins_and_no_others) {
  const auto p = policy(" https://chat.example.com ,http://localhost:3000,https://[::1]:8443");
  const char* host = "troupe.internal:8080";
  EXPECT_TRUE(p.admits("https://chat.example.com", host));
  EXPECT_TRUE(p.admits("HTTPS://Chat.Example.COM", host));
  EXPECT_TRUE(p.admits("http://localhost:3000", host));
  EXPECT_TRUE(p.admits("https://[::1]:8443", host));

  EXPECT_FALSE(p.admits("http://chat.example.com", host));  // another scheme
  EXPECT_FALSE(p.admits("https://chat.example.com:8443", host));
  EXPECT_FALSE(p.admits("https://evil.chat.example.com", host));
  EXPECT_FALSE(p.admits("https://chat.example.com.evil.example", host));
  EXPECT_FALSE(p.admits("http://localhost:3001", host));
  EXPECT_FALSE(p.admits("null", host));  // a sandboxed page or a file
  EXPECT_FALSE(p.admits("https://chat.example.com/", host));
}

TEST(origin_policy, host_names_may_hold_underscores) {
  EXPECT_TRUE(policy("http://my_host.example").admits("http://my_host.example", "x"));
}

TEST(origin_policy, default_ports_are_the_same_origin_as_none) {
  const auto p = policy("https://a.example:443, http://b.example:80, http://c.example:443");
  EXPECT_TRUE(p.admits("https://a.example", "x"));
  EXPECT_TRUE(p.admits("https://a.example:443", "x"));
  EXPECT_TRUE(p.admits("http://b.example", "x"));
  EXPECT_TRUE(p.admits("http://c.example:443", "x"));
  EXPECT_FALSE(p.admits("http://c.example", "x"));
  EXPECT_FALSE(p.admits("http://a.example", "x"));
}

TEST(origin_policy, a_page_this_server_served_is_always_admitted) {
  for (const auto& p : {policy("self"), policy("https://chat.example.com"),
                        policy("self, https://chat.example.com")}) {
    EXPECT_TRUE(p.admits("http://127.0.0.1:8080", "127.0.0.1:8080"));
    EXPECT_TRUE(p.admits("https://Troupe.Example", "troupe.example"));
    EXPECT_TRUE(p.admits("https://troupe.example", "troupe.example:443"));
    EXPECT_TRUE(p.admits("http://[::1]:8080", "[::1]:8080"));
    EXPECT_FALSE(p.admits("http://127.0.0.1:8081", "127.0.0.1:8080"));
    EXPECT_FALSE(p.admits("http://troupe.example", "troupe.example:443"));
    EXPECT_FALSE(p.admits("https://evil.example", "troupe.example"));
    EXPECT_FALSE(p.admits("https://evil.example", ""));
  }
}

TEST(origin_policy, clients_without_an_origin_are_admitted) {
  EXPECT_TRUE(policy("self").admits("", "troupe.example"));
  EXPECT_TRUE(policy("https://chat.example.com").admits("", ""));
}

TEST(origin_policy, what_is_not_a_list_of_origins_says_why) {
  EXPECT_NE(problem_with("chat.example.com").find("scheme://host"), std::string::npos);
  EXPECT_NE(problem_with("ftp://chat.example.com").find("http or https"), std::string::npos);
  EXPECT_NE(problem_with("https://chat.example.com/").find("no path"), std::string::npos);
  EXPECT_NE(problem_with("https://chat.example.com/app").find("no path"), std::string::npos);
  EXPECT_NE(problem_with("https://a.example,").find("empty entry"), std::string::npos);
  // Not "" for "our own pages only": an empty environment variable counts as unset.
  EXPECT_NE(problem_with("").find("write self"), std::string::npos);
  EXPECT_NE(problem_with("  ").find("write self"), std::string::npos);
  EXPECT_NE(problem_with("*, https://a.example").find("stands alone"), std::string::npos);
  EXPECT_NE(problem_with("https://a.example https://b.example").find("separated by commas"),
            std::string::npos);
  EXPECT_NE(problem_with("https://a.example, ,https://b.example").find("empty entry"),
            std::string::npos);
  for (const char* bad :
       {"https://", "https://:8080", "https://a.example:0", "https://a.example:65536",
        "https://a.example:80x", "https://a.example:", "https://user@a.example",
        "https://a b.example", "https://[::1", "https://[zz]:1", "https://[::1]x"}) {
    SCOPED_TRACE(bad);
    const auto problem = problem_with(bad);
    EXPECT_NE(problem.find("got '" + std::string(bad) + "'"), std::string::npos) << problem;
  }
}

}  // namespace
}  // namespace troupe
