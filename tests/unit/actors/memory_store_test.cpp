// memory_store: rooms are stored from their first message, counters while not 0, and at its
// limits the store forgets the least recently used room or counter.
#include "actors/store/memory_store.hpp"

#include <gtest/gtest.h>

#include <string>

namespace troupe {
namespace {

stored_message message(std::uint64_t seq) {
  return {seq, make_frame(std::string(R"({"seq":)") + std::to_string(seq) + "}")};
}

TEST(memory_store, a_room_is_stored_with_its_first_message_under_the_given_epoch) {
  memory_store store(10, 10);
  const auto fresh = store.load_room("r");
  EXPECT_FALSE(fresh.epoch.empty());
  EXPECT_EQ(fresh.last_seq, 0u);
  EXPECT_FALSE(store.find_room("r")) << "loading stores nothing";
  EXPECT_NE(store.load_room("r").epoch, fresh.epoch) << "each load of a room not stored is fresh";

  EXPECT_FALSE(store.append_message("r", fresh.epoch, message(1), 2));
  EXPECT_FALSE(store.append_message("r", "ignored once stored", message(2), 2));
  EXPECT_FALSE(store.append_message("r", fresh.epoch, message(3), 2));
  const auto kept = store.find_room("r");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->epoch, fresh.epoch);
  EXPECT_EQ(kept->last_seq, 3u);
  ASSERT_EQ(kept->history.size(), 2u) << "the newest `keep`";
  EXPECT_EQ(kept->history[0].seq, 2u);
  EXPECT_EQ(store.load_room("r").epoch, fresh.epoch);
}

TEST(memory_store, at_its_limit_a_new_room_forgets_the_least_recently_used) {
  memory_store store(2, 10);
  EXPECT_FALSE(store.append_message("a", "ea", message(1), 10));
  EXPECT_FALSE(store.append_message("b", "eb", message(1), 10));
  store.load_room("a");  // a is now the more recently used
  EXPECT_FALSE(store.append_message("c", "ec", message(1), 10));
  EXPECT_TRUE(store.find_room("a"));
  EXPECT_FALSE(store.find_room("b")) << "b was the least recently used";
  EXPECT_TRUE(store.find_room("c"));
  EXPECT_EQ(store.forgotten(), 1u);

  EXPECT_FALSE(
      store.append_message("c", "ec", message(2), 10));  // a is now the least recently used
  EXPECT_FALSE(store.append_message("d", "ed", message(1), 10));
  EXPECT_FALSE(store.find_room("a"));
  EXPECT_EQ(store.list_rooms().size(), 2u);
  EXPECT_EQ(store.forgotten(), 2u);
}

TEST(memory_store, counters_are_kept_while_not_zero_and_the_least_recently_used_goes_first) {
  memory_store store(10, 2);
  EXPECT_FALSE(store.save_counter("x", 5));
  EXPECT_FALSE(store.save_counter("y", 6));
  EXPECT_FALSE(store.save_counter("x", 0));  // forgotten: its place is free again
  EXPECT_FALSE(store.save_counter("z", 7));
  EXPECT_EQ(store.load_counter("x"), 0);
  EXPECT_EQ(store.load_counter("y"), 6);  // y is now the more recently used
  EXPECT_EQ(store.forgotten(), 0u);
  EXPECT_FALSE(store.save_counter("w", 8));
  EXPECT_EQ(store.load_counter("z"), 0) << "z was the least recently used";
  EXPECT_EQ(store.load_counter("y"), 6);
  EXPECT_EQ(store.load_counter("w"), 8);
  EXPECT_EQ(store.forgotten(), 1u);
}

}  // namespace
}  // namespace troupe
