#pragma once
// origin_policy: which web pages may open a WebSocket or post (server.allowed_origins). A browser
// names the page behind every WebSocket it opens in the Origin header and sends the site's
// cookies along; a server that accepted any Origin would let any page a user visits act as that
// user (cross-site WebSocket hijacking) wherever a proxy in front authenticates by cookie.
// Clients that are not browsers send no Origin and are always admitted. A plain value,
// immutable after parse; thread-safe.
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace troupe {

class origin_policy {
 public:
  // Any origin ("*", the default).
  origin_policy() = default;

  // "*" (alone), or origins separated by commas ("https://chat.example.com, http://localhost:3000")
  // with "self" among them or alone for this server's own pages, which are always admitted. An
  // origin is http or https, "://", a host name or address (IPv6 in brackets) and an optional
  // port, with no path. The parsed value, or what is wrong with the text.
  static std::variant<origin_policy, std::string> parse(std::string_view text);

  // A request (a WebSocket handshake, a POST) with this Origin header ("" when there is none) to
  // this host (its Host header, or an absolute-form target's host) may go ahead: Origin absent, any
  // origin allowed, Origin listed, or Origin naming the host the request was sent to (a page this
  // server served). Case-insensitive; default ports are ignored ("https://a.example:443" is
  // "https://a.example", as browsers send it).
  bool admits(std::string_view origin, std::string_view host) const;

 private:
  bool any_ = true;
  std::vector<std::string> listed_;  // lower case, default port removed
};

}  // namespace troupe
