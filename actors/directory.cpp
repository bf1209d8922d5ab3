#include "actors/directory.hpp"

#include "actors/store/state_store.hpp"

namespace troupe {

boost::asio::awaitable<result<std::int64_t>> directory::counter_value(std::string name) {
  auto open = co_await ask_open_counter(name, counter_actor::get{});
  if (open) co_return std::move(*open);
  co_return env_.store->load_counter(name);
}

boost::asio::awaitable<result<room_actor::snapshot>> directory::room_history(std::string name,
                                                                             std::uint64_t since) {
  auto open = co_await ask_open_room(name, room_actor::history{since});
  if (open) co_return std::move(*open);
  co_return room_actor::stored_snapshot(env_.store->load_room(name), since);
}

boost::asio::awaitable<std::optional<result<room_actor::snapshot>>> directory::room_detail(
    std::string name) {
  auto open = co_await ask_open_room(name, room_actor::describe{});
  if (open) co_return std::move(*open);
  auto stored = env_.store->find_room(name);
  if (!stored) co_return std::nullopt;
  co_return room_actor::stored_snapshot(*stored, 0);
}

}  // namespace troupe
