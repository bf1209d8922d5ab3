#include "config/origin_policy.hpp"

#include "config/settings.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace troupe {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trimmed(std::string_view s) {
  constexpr std::string_view space = " \t";
  const auto first = s.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

// "host[:port]" in lower case without the scheme's default port, as a browser writes it in an
// Origin; nullopt if it is not a host name, an IPv4 address or a bracketed IPv6 address with an
// optional port from 1 to 65535.
std::optional<std::string> canonical_authority(std::string_view scheme, std::string_view text) {
  std::string_view host = text;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(0, close + 1);
    const auto rest = text.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return std::nullopt;
    if (!rest.empty()) port = rest.substr(1);
    const auto inside = host.substr(1, host.size() - 2);
    if (inside.empty() || !std::all_of(inside.begin(), inside.end(), [](unsigned char c) {
          return std::isxdigit(c) || c == ':' || c == '.';
        }))
      return std::nullopt;
  } else {
    if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
    }
    if (host.empty() || !std::all_of(host.begin(), host.end(), [](unsigned char c) {
          return std::isalnum(c) || c == '-' || c == '.' || c == '_';
        }))
      return std::nullopt;
  }
  std::string out = lower(host);
  if (text.size() != host.size()) {  // a port was given
    unsigned number = 0;
    const auto r = std::from_chars(port.data(), port.data() + port.size(), number);
    if (port.empty() || port.size() > 5 || r.ec != std::errc{} ||
        r.ptr != port.data() + port.size() || number == 0 || number > 65535)
      return std::nullopt;
    const unsigned default_port = scheme == "https" ? 443 : 80;
    if (number != default_port) out += ":" + std::to_string(number);
  }
  return out;
}

struct origin {
  std::string scheme;     // "http" or "https"
  std::string authority;  // canonical_authority
  std::string text() const { return scheme + "://" + authority; }
};

std::variant<origin, std::string> parse_origin(std::string_view text) {
  const auto separator = text.find("://");
  if (separator == std::string_view::npos)
    return std::string("an origin is scheme://host[:port], such as https://chat.example.com");
  origin o{lower(text.substr(0, separator)), {}};
  if (o.scheme != "http" && o.scheme != "https")
    return std::string("an origin's scheme is http or https");
  const auto authority = text.substr(separator + 3);
  if (authority.find_first_of(" \t") != std::string_view::npos)
    return std::string("origins are separated by commas");
  if (authority.find_first_of("/?#") != std::string_view::npos)
    return std::string("an origin has no path, not even '/'");
  auto canonical = canonical_authority(o.scheme, authority);
  if (!canonical)
    return std::string(
        "an origin's host is a name or an address (IPv6 in brackets), with an optional port "
        "from 1 to 65535");
  o.authority = std::move(*canonical);
  return o;
}

}  // namespace

std::variant<origin_policy, std::string> origin_policy::parse(std::string_view text) {
  origin_policy result;
  result.any_ = false;
  // Not "" for "none but our own": an empty environment variable counts as unset, so that
  // spelling would silently admit any page from a container's environment.
  if (trimmed(text).empty())
    return std::string("empty; write self for this server's own pages only, * for any page");
  if (trimmed(text) == "*") {
    result.any_ = true;
    return result;
  }
  for (std::size_t start = 0; start <= text.size();) {
    const auto comma = std::min(text.find(',', start), text.size());
    const auto entry = trimmed(text.substr(start, comma - start));
    start = comma + 1;
    if (entry.empty()) return std::string("an empty entry between commas");
    if (entry == "*") return std::string("* admits every page, so it stands alone");
    if (entry == "self") continue;  // this server's own pages: admitted whatever the list
    auto parsed = parse_origin(entry);
    if (auto* problem = std::get_if<std::string>(&parsed))
      return *problem + ", got " + in_quotes(entry);
    result.listed_.push_back(std::get<origin>(parsed).text());
  }
  return result;
}

bool origin_policy::admits(std::string_view origin_header, std::string_view host) const {
  if (any_ || origin_header.empty()) return true;
  const auto parsed = parse_origin(origin_header);  // "null" (a sandboxed page) is none of these
  const auto* o = std::get_if<origin>(&parsed);
  if (o == nullptr) return false;
  if (std::find(listed_.begin(), listed_.end(), o->text()) != listed_.end()) return true;
  const auto target = canonical_authority(o->scheme, host);
  return target && *target == o->authority;
}

}  // namespace troupe
