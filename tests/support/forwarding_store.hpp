#pragma once
// forwarding_store: a state_store that hands every call to an in-memory store of its own; tests
// derive from it and override the calls they script (a store that fails, or waits).
#include "actors/store/memory_store.hpp"

namespace troupe::test {

class forwarding_store : public state_store {
 public:
  std::int64_t load_counter(std::string_view c) override { return inner_.load_counter(c); }
  boost::system::error_code save_counter(std::string_view c, std::int64_t v) override {
    return inner_.save_counter(c, v);
  }
  room_record load_room(std::string_view r) override { return inner_.load_room(r); }
  std::optional<room_record> find_room(std::string_view r) override { return inner_.find_room(r); }
  boost::system::error_code append_message(std::string_view r, std::string_view epoch,
                                           stored_message m, std::size_t keep) override {
    return inner_.append_message(r, epoch, std::move(m), keep);
  }
  std::vector<room_listing> list_rooms() override { return inner_.list_rooms(); }
  std::uint64_t forgotten() const noexcept override { return inner_.forgotten(); }

 private:
  memory_store inner_{100, 100};
};

}  // namespace troupe::test
