#pragma once
// memory_store: state_store kept in this process's memory, behind one mutex. It holds at most
// `max_rooms` rooms and `max_counters` counters: storing one more forgets the one least
// recently used (loaded or changed), as a bounded cache would. Nothing here outlives the process.
#include "actors/store/state_store.hpp"

#include <atomic>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <mutex>
#include <unordered_map>

namespace troupe {

class memory_store final : public state_store {
 public:
  memory_store(std::size_t max_rooms, std::size_t max_counters)
      : max_rooms_(max_rooms), max_counters_(max_counters) {}

  std::int64_t load_counter(std::string_view counter) override;
  boost::system::error_code save_counter(std::string_view counter, std::int64_t value) override;
  room_record load_room(std::string_view room) override;
  std::optional<room_record> find_room(std::string_view room) override;
  boost::system::error_code append_message(std::string_view room, std::string_view epoch,
                                           stored_message m, std::size_t keep) override;
  std::vector<room_listing> list_rooms() override;

  std::uint64_t forgotten() const noexcept override {
    return forgotten_.load(std::memory_order_relaxed);
  }

 private:
  using use_order = std::list<std::string>;  // least recently used first
  struct room_data {
    std::string epoch;
    std::uint64_t last_seq = 0;
    std::deque<stored_message> history;
    use_order::iterator used;
  };
  struct counter_data {
    std::int64_t value = 0;
    use_order::iterator used;
  };
  static room_record to_record(const room_data& d);
  void make_room_for(use_order& order, std::size_t max, const char* what, auto& items);

  const std::size_t max_rooms_;
  const std::size_t max_counters_;
  std::atomic<std::uint64_t> forgotten_{0};
  std::mutex mu_;
  std::unordered_map<std::string, counter_data> counters_;
  use_order counter_use_;
  std::map<std::string, room_data, std::less<>> rooms_;
  use_order room_use_;
};

}  // namespace troupe
