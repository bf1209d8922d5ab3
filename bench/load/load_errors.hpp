#pragma once
// Errors troupe_load reports about the server under test, as boost::system error codes.
// Network failures keep their own (asio, beast) codes; these are the protocol-level ones.
#include <boost/system/error_code.hpp>

#include <type_traits>

namespace troupe::load {

enum class load_errc {
  no_welcome = 1,    // troupe did not open with {"type":"welcome"}
  join_refused,      // the server answered a room join with something other than room.joined
  error_reply,       // the server answered a request with {"type":"error"}
  unexpected_frame,  // a frame that is not valid for the scenario (bad JSON, unknown id, wrong
                     // type)
};

const boost::system::error_category& load_category() noexcept;

inline boost::system::error_code make_error_code(load_errc e) noexcept {
  return {static_cast<int>(e), load_category()};
}

}  // namespace troupe::load

template <>
struct boost::system::is_error_code_enum<troupe::load::load_errc> : std::true_type {};
