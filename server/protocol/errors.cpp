#include "server/protocol/errors.hpp"

#include <string>

namespace troupe::protocol {
namespace {

class protocol_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "troupe.protocol"; }
  std::string message(int ev) const override {
    return std::string(to_string(static_cast<error_code>(ev)));
  }
};

}  // namespace

std::string_view to_string(error_code code) noexcept {
  switch (code) {
    case error_code::bad_json:
      return "bad_json";
    case error_code::bad_request:
      return "bad_request";
    case error_code::unknown_type:
      return "unknown_type";
    case error_code::not_member:
      return "not_member";
    case error_code::overloaded:
      return "overloaded";
    case error_code::timeout:
      return "timeout";
    case error_code::limit:
      return "limit";
    case error_code::unavailable:
      return "unavailable";
  }
  return "unknown_error";
}

const std::error_category& protocol_category() noexcept {
  static const protocol_category_impl category;
  return category;
}

}  // namespace troupe::protocol
