#pragma once
// memory_store: state_store kept in this process's memory, behind one mutex.
#include "actors/store/state_store.hpp"

#include <deque>
#include <map>
#include <mutex>
#include <unordered_map>

namespace troupe {

class memory_store final : public state_store {
 public:
  // At most `max_rooms` rooms and `max_counters` counters are kept: memory is bounded.
  memory_store(std::size_t max_rooms, std::size_t max_counters)
      : max_rooms_(max_rooms), max_counters_(max_counters) {}

  std::int64_t load_counter(std::string_view counter) override;
  bool save_counter(std::string_view counter, std::int64_t value) override;
  room_record load_room(std::string_view room) override;
  std::optional<room_record> find_room(std::string_view room) override;
  bool append_message(std::string_view room, std::string_view epoch, stored_message m,
                      std::size_t keep) override;
  std::vector<room_listing> list_rooms() override;

 private:
  struct room_data {
    std::string epoch;
    std::uint64_t last_seq = 0;
    std::deque<stored_message> history;
  };
  static room_record to_record(const room_data& d);

  const std::size_t max_rooms_;
  const std::size_t max_counters_;
  std::mutex mu_;
  std::unordered_map<std::string, std::int64_t> counters_;
  std::map<std::string, room_data, std::less<>> rooms_;
};

// A fresh random id (16 hex digits), for epochs and session ids.
std::string random_id();

}  // namespace troupe
