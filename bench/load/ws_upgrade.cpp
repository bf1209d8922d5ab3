#include "bench/load/ws_upgrade.hpp"

#include <boost/beast/websocket/error.hpp>

#include <cctype>

namespace troupe::load {
namespace {

using ws_error = boost::beast::websocket::error;

constexpr std::string_view key = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view expected_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";  // RFC 6455 1.3

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string upgrade_request(std::string_view host, std::string_view target) {
  std::string out;
  out.reserve(160 + host.size() + target.size());
  out += "GET ";
  out += target;
  out += " HTTP/1.1\r\nHost: ";
  out += host;
  out += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ";
  out += key;
  out += "\r\nSec-WebSocket-Version: 13\r\n\r\n";
  return out;
}

std::size_t response_head_size(std::string_view received) noexcept {
  const auto end = received.find("\r\n\r\n");
  return end == std::string_view::npos ? 0 : end + 4;
}

boost::system::error_code check_upgrade_response(std::string_view head) noexcept {
  auto line_end = head.find("\r\n");
  if (line_end == std::string_view::npos) return ws_error::bad_http_version;
  const std::string_view status = head.substr(0, line_end);
  if (!status.starts_with("HTTP/1.1 ")) return ws_error::bad_http_version;
  if (status.substr(9, 3) != "101" || (status.size() > 12 && status[12] != ' ')) {
    return ws_error::upgrade_declined;
  }
  bool accepted = false;
  for (std::size_t pos = line_end + 2; pos < head.size();) {
    line_end = head.find("\r\n", pos);
    if (line_end == std::string_view::npos || line_end == pos) break;
    const std::string_view line = head.substr(pos, line_end - pos);
    pos = line_end + 2;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (iequals(trim(line.substr(0, colon)), "sec-websocket-accept")) {
      if (trim(line.substr(colon + 1)) != expected_accept) return ws_error::bad_sec_accept;
      accepted = true;
    }
  }
  return accepted ? boost::system::error_code{} : ws_error::no_sec_accept;
}

}  // namespace troupe::load
