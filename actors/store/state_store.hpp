#pragma once
// state_store: the one seam through which counters and rooms load and change their state.
// In memory today; a local log or NATS JetStream later, so rooms and counters survive a restart
// or a node's death. Sessions never go through it: their state cannot outlive their socket.
//
// Thread-safety: implementations are safe from any thread (many actors share one store).
// Errors: a change the store could not make is an error_code (a log or a network may fail, and
// the actor then answers with an error and keeps its state); loads that fail throw, and the actor
// does not open.
#include "actors/frame.hpp"

#include <boost/system/error_code.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace troupe {

struct stored_message {
  std::uint64_t seq = 0;
  frame encoded;  // the room.message text, as broadcast
};

struct room_record {
  std::string epoch;  // changes whenever the numbering starts anew
  std::uint64_t last_seq = 0;
  std::vector<stored_message> history;  // oldest first, at most the configured length
};

struct room_listing {
  std::string room;
  std::uint64_t last_seq = 0;
};

class state_store {
 public:
  virtual ~state_store() = default;

  // A counter's value is 0 until stored; storing 0 forgets it.
  virtual std::int64_t load_counter(std::string_view counter) = 0;
  [[nodiscard]] virtual boost::system::error_code save_counter(std::string_view counter,
                                                               std::int64_t value) = 0;

  // The room's record, or for a room with nothing stored a fresh one (a new epoch, no messages)
  // that is stored only with its first message.
  virtual room_record load_room(std::string_view room) = 0;
  virtual std::optional<room_record> find_room(std::string_view room) = 0;
  // Appends one message (its seq is the new last_seq), keeping the newest `keep`; `epoch` is the
  // one the room's record was loaded with.
  [[nodiscard]] virtual boost::system::error_code append_message(std::string_view room,
                                                                 std::string_view epoch,
                                                                 stored_message m,
                                                                 std::size_t keep) = 0;
  virtual std::vector<room_listing> list_rooms() = 0;  // the rooms with stored messages
  // Rooms and counters forgotten so far to stay within the store's limits.
  virtual std::uint64_t forgotten() const noexcept = 0;
};

}  // namespace troupe
