#include "bench/baseline/room_registry.hpp"

#include "bench/baseline/broadcast_session.hpp"

namespace troupe::baseline {

void room_registry::join(const std::string& room,
                         const std::shared_ptr<broadcast_session>& member) {
  std::lock_guard lock(mu_);
  rooms_[room].emplace(member.get(), member);
}

void room_registry::leave(const std::string& room, const broadcast_session* member) {
  std::lock_guard lock(mu_);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  it->second.erase(member);
  if (it->second.empty()) rooms_.erase(it);
}

void room_registry::broadcast(const std::string& room,
                              const std::shared_ptr<const std::string>& frame) {
  std::vector<std::weak_ptr<broadcast_session>> targets;
  {
    std::lock_guard lock(mu_);
    auto it = rooms_.find(room);
    if (it == rooms_.end()) return;
    targets.reserve(it->second.size());
    for (const auto& [key, member] : it->second) targets.push_back(member);
  }
  for (const auto& weak : targets) {
    if (auto member = weak.lock()) member->deliver(frame);
  }
}

}  // namespace troupe::baseline
