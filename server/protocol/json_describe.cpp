#include "server/protocol/json_describe.hpp"

#include <nlohmann/json.hpp>

namespace troupe::protocol {

std::string_view describe(const nlohmann::json& value) noexcept {
  using kind = nlohmann::json::value_t;
  switch (value.type()) {
    case kind::null:
      return "null";
    case kind::boolean:
      return "a boolean";
    case kind::string:
      return "a string";
    case kind::number_integer:
    case kind::number_unsigned:
      return "an integer";
    case kind::number_float:
      return "a non-integer number";
    case kind::array:
      return "an array";
    case kind::object:
      return "an object";
    case kind::binary:
    case kind::discarded:
      break;
  }
  return "an unsupported value";
}

}  // namespace troupe::protocol
