#include "actors/store/memory_store.hpp"

#include <cstdio>
#include <random>

namespace troupe {

std::string random_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

std::int64_t memory_store::load_counter(std::string_view counter) {
  std::lock_guard lock(mu_);
  auto it = counters_.find(std::string(counter));
  return it == counters_.end() ? 0 : it->second;
}

bool memory_store::save_counter(std::string_view counter, std::int64_t value) {
  std::lock_guard lock(mu_);
  auto it = counters_.find(std::string(counter));
  if (value == 0) {
    if (it != counters_.end()) counters_.erase(it);
    return true;
  }
  if (it != counters_.end()) {
    it->second = value;
    return true;
  }
  if (counters_.size() >= max_counters_) return false;
  counters_.emplace(std::string(counter), value);
  return true;
}

room_record memory_store::to_record(const room_data& d) {
  return room_record{d.epoch, d.last_seq, {d.history.begin(), d.history.end()}};
}

room_record memory_store::load_room(std::string_view room) {
  std::lock_guard lock(mu_);
  auto it = rooms_.find(room);
  return it == rooms_.end() ? room_record{random_id(), 0, {}} : to_record(it->second);
}

std::optional<room_record> memory_store::find_room(std::string_view room) {
  std::lock_guard lock(mu_);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return std::nullopt;
  return to_record(it->second);
}

bool memory_store::append_message(std::string_view room, std::string_view epoch, stored_message m,
                                  std::size_t keep) {
  std::lock_guard lock(mu_);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) {
    if (rooms_.size() >= max_rooms_) return false;
    it = rooms_.emplace(std::string(room), room_data{std::string(epoch), 0, {}}).first;
  }
  auto& d = it->second;
  d.last_seq = m.seq;
  d.history.push_back(std::move(m));
  while (d.history.size() > keep) d.history.pop_front();
  return true;
}

std::vector<room_listing> memory_store::list_rooms() {
  std::lock_guard lock(mu_);
  std::vector<room_listing> out;
  out.reserve(rooms_.size());
  for (const auto& [name, d] : rooms_) out.push_back({name, d.last_seq});
  return out;
}

}  // namespace troupe
