#include "actors/store/memory_store.hpp"

#include "actors/random_id.hpp"

#include <spdlog/spdlog.h>

namespace troupe {

// Before storing a new item: at `max`, forget the least recently used one.
void memory_store::make_room_for(use_order& order, std::size_t max, const char* what, auto& items) {
  if (items.size() < max || order.empty()) return;
  spdlog::warn("store: {} {}s kept (the limit); forgetting the least recently used, '{}'",
               items.size(), what, order.front());
  items.erase(items.find(order.front()));
  order.pop_front();
  forgotten_.fetch_add(1, std::memory_order_relaxed);
}

std::int64_t memory_store::load_counter(std::string_view counter) {
  std::lock_guard lock(mu_);
  auto it = counters_.find(std::string(counter));
  if (it == counters_.end()) return 0;
  counter_use_.splice(counter_use_.end(), counter_use_, it->second.used);
  return it->second.value;
}

boost::system::error_code memory_store::save_counter(std::string_view counter, std::int64_t value) {
  std::lock_guard lock(mu_);
  auto it = counters_.find(std::string(counter));
  if (it != counters_.end()) {
    if (value == 0) {
      counter_use_.erase(it->second.used);
      counters_.erase(it);
      return {};
    }
    it->second.value = value;
    counter_use_.splice(counter_use_.end(), counter_use_, it->second.used);
    return {};
  }
  if (value == 0) return {};
  make_room_for(counter_use_, max_counters_, "counter", counters_);
  auto used = counter_use_.insert(counter_use_.end(), std::string(counter));
  counters_.emplace(std::string(counter), counter_data{value, used});
  return {};
}

room_record memory_store::to_record(const room_data& d) {
  return room_record{d.epoch, d.last_seq, {d.history.begin(), d.history.end()}};
}

room_record memory_store::load_room(std::string_view room) {
  std::lock_guard lock(mu_);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return room_record{random_id(), 0, {}};
  room_use_.splice(room_use_.end(), room_use_, it->second.used);
  return to_record(it->second);
}

std::optional<room_record> memory_store::find_room(std::string_view room) {
  std::lock_guard lock(mu_);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return std::nullopt;
  return to_record(it->second);
}

boost::system::error_code memory_store::append_message(std::string_view room,
                                                       std::string_view epoch, stored_message m,
                                                       std::size_t keep) {
  std::lock_guard lock(mu_);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) {
    make_room_for(room_use_, max_rooms_, "room", rooms_);
    auto used = room_use_.insert(room_use_.end(), std::string(room));
    it = rooms_.emplace(std::string(room), room_data{std::string(epoch), 0, {}, used}).first;
  } else {
    room_use_.splice(room_use_.end(), room_use_, it->second.used);
  }
  auto& d = it->second;
  d.last_seq = m.seq;
  d.history.push_back(std::move(m));
  while (d.history.size() > keep) d.history.pop_front();
  return {};
}

std::vector<room_listing> memory_store::list_rooms() {
  std::lock_guard lock(mu_);
  std::vector<room_listing> out;
  out.reserve(rooms_.size());
  for (const auto& [name, d] : rooms_) out.push_back({name, d.last_seq});
  return out;
}

}  // namespace troupe
