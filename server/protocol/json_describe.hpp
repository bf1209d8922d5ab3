#pragma once
// describe(): the kind of a JSON value in words ("a string", "an integer", ...), for error
// messages of the form "must be X, got Y". Pure; thread-safe.
#include <nlohmann/json_fwd.hpp>

#include <string_view>

namespace troupe::protocol {

std::string_view describe(const nlohmann::json& value) noexcept;

}  // namespace troupe::protocol
