#pragma once
// room_registry: room name -> its members. Thread-safe, one mutex. broadcast() copies the
// members' weak references under the lock and delivers after releasing it, as Beast's
// chat-multi example does.
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace troupe::baseline {

class broadcast_session;

class room_registry {
 public:
  void join(const std::string& room, const std::shared_ptr<broadcast_session>& member);
  void leave(const std::string& room, const broadcast_session* member);
  // Hands `frame` to every member of `room`, the sender included.
  void broadcast(const std::string& room, const std::shared_ptr<const std::string>& frame);

 private:
  using members = std::unordered_map<const broadcast_session*, std::weak_ptr<broadcast_session>>;
  std::mutex mu_;
  std::unordered_map<std::string, members> rooms_;
};

}  // namespace troupe::baseline
