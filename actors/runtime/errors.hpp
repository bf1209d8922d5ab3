#pragma once
// Errors the actor runtime reports to senders and askers, as boost::system error codes.
#include <boost/system/error_code.hpp>

#include <type_traits>

namespace troupe {

enum class actor_errc {
  mailbox_full = 1,  // tell/ask refused: the mailbox is at capacity
  stopped,           // the actor has stopped, or stopped before replying
  timeout,           // the ask's deadline passed before a reply
  handler_failed,    // the handler threw while handling this ask
  deadlock,          // the ask would wait on its own asker (directly or through a chain)
  too_many,          // not spawned: as many actors of its kind as allowed are running
};

const boost::system::error_category& actor_category() noexcept;

inline boost::system::error_code make_error_code(actor_errc e) noexcept {
  return {static_cast<int>(e), actor_category()};
}

}  // namespace troupe

template <>
struct boost::system::is_error_code_enum<troupe::actor_errc> : std::true_type {};
