#include "actors/room_actor.hpp"

#include "tests/unit/actors/domain_test.hpp"
#include "tests/unit/actors/scripted_store.hpp"
#include "tests/unit/runtime/test_support.hpp"

namespace troupe {
namespace {

class room_actor_test : public domain_test {
 protected:
  actor_ref<room_actor> room(const std::string& name) {
    return system_.get_or_spawn<room_actor>("room:" + name, name, std::cref(env_));
  }
  // The members' sessions, as a listing shows them.
  static std::vector<std::string> sessions_in(actor_ref<room_actor>& r) {
    std::vector<std::string> out;
    const auto listing = r.ask_blocking(room_actor::describe{});  // held: the loop reads into it
    for (const auto& m : listing->members) out.push_back(m.session);
    return out;
  }
  // Joins and returns the room.joined frame the room put in the joiner's outbox, the last frame
  // there (earlier ones are dropped).
  static nlohmann::json join(actor_ref<room_actor>& r, room_member who,
                             const std::shared_ptr<outbox>& out) {
    r.ask_blocking(room_actor::join{std::move(who), out, 7}).value();
    auto seen = drain(*out);
    if (seen.empty()) return {};
    return seen.back();
  }
};

TEST_F(room_actor_test, join_lists_members_and_tells_the_others) {
  auto r = room("lobby");
  auto alice = std::make_shared<outbox>(16);
  auto bob = std::make_shared<outbox>(16);
  auto first = join(r, {"s-a", "alice"}, alice);
  EXPECT_EQ(first["type"], "room.joined") << first;
  EXPECT_EQ(first["id"], 7) << "the request's id";
  EXPECT_EQ(first["members"], (nlohmann::json::array({{{"session", "s-a"}, {"name", "alice"}}})));
  EXPECT_EQ(first["last_seq"], 0);
  EXPECT_FALSE(first["epoch"].get<std::string>().empty());
  auto second = join(r, {"s-b", "bob"}, bob);
  ASSERT_EQ(second["members"].size(), 2u) << second;
  EXPECT_EQ(second["epoch"], first["epoch"]);

  auto seen = drain(*alice);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], (nlohmann::json{{"type", "room.presence"},
                                     {"room", "lobby"},
                                     {"event", "join"},
                                     {"member", {{"session", "s-b"}, {"name", "bob"}}}}));
  EXPECT_TRUE(drain(*bob).empty()) << "the joiner gets no presence event about itself";
}

TEST_F(room_actor_test, joining_twice_is_idempotent) {
  auto r = room("twice");
  auto alice = std::make_shared<outbox>(16);
  auto bob = std::make_shared<outbox>(16);
  join(r, {"s-b", "bob"}, bob);
  join(r, {"s-a", "alice"}, alice);
  auto again = join(r, {"s-a", "alice"}, alice);
  EXPECT_EQ(again["type"], "room.joined") << again;
  EXPECT_EQ(again["members"].size(), 2u) << again;
  EXPECT_EQ(drain(*bob).size(), 1u) << "one presence event, not two";
}

TEST_F(room_actor_test, say_numbers_from_one_and_shares_one_frame) {
  auto r = room("talk");
  auto alice = std::make_shared<outbox>(16);
  auto bob = std::make_shared<outbox>(16);
  join(r, {"s-a", "alice"}, alice);
  join(r, {"s-b", "bob"}, bob);
  drain(*alice);
  EXPECT_EQ(r.ask_blocking(room_actor::say{{"s-a", "ignored"}, "hi"})->seq, 1u);
  EXPECT_EQ(r.ask_blocking(room_actor::say{{"s-b", ""}, "yo"})->seq, 2u);

  std::vector<frame> fa, fb;
  ASSERT_TRUE(alice->queue().take(fa));
  ASSERT_TRUE(bob->queue().take(fb));
  ASSERT_EQ(fa.size(), 2u);
  ASSERT_EQ(fb.size(), 2u);
  EXPECT_EQ(fa[0].get(), fb[0].get()) << "serialised once, shared by every member";
  auto m = nlohmann::json::parse(fa[0]->text());
  EXPECT_EQ(m["type"], "room.message");
  EXPECT_EQ(m["seq"], 1);
  EXPECT_EQ(m["text"], "hi");
  EXPECT_EQ(m["from"], (nlohmann::json{{"session", "s-a"}, {"name", "alice"}}))
      << "the member's own name is used";
  EXPECT_GT(m["ts"].get<std::int64_t>(), 1'600'000'000'000);
}

TEST_F(room_actor_test, non_members_cannot_say_but_http_publishers_can) {
  auto r = room("closed");
  auto alice = std::make_shared<outbox>(16);
  join(r, {"s-a", "alice"}, alice);
  auto sneak = r.ask_blocking(room_actor::say{{"s-x", "x"}, "sneak"});
  EXPECT_FALSE(sneak->seq.has_value());
  EXPECT_TRUE(sneak->not_member);
  EXPECT_EQ(r.ask_blocking(room_actor::say{{"", "curl"}, "from http"})->seq, 1u);
  auto seen = drain(*alice);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0]["from"]["session"].is_null());
  EXPECT_EQ(seen[0]["from"]["name"], "curl");
}

// Rooms over a store the test scripts; the system stops before the store goes.
class room_store_test : public room_actor_test {
 protected:
  room_store_test() { env_.store = &scripted_; }
  ~room_store_test() override { system_.shutdown(); }

  test::scripted_store scripted_;
};

// A message the store fails to keep is refused: nobody hears it, its number is not used, and the
// room keeps its members (it is not restarted, which would lose them).
TEST_F(room_store_test, a_say_the_store_fails_to_keep_is_refused_and_the_room_carries_on) {
  auto r = room("fragile");
  auto alice = std::make_shared<outbox>(16);
  auto bob = std::make_shared<outbox>(16);
  join(r, {"s-a", "alice"}, alice);
  join(r, {"s-b", "bob"}, bob);
  drain(*alice);

  scripted_.fail_next_append();
  auto refused = r.ask_blocking(room_actor::say{{"s-a", ""}, "lost"});
  ASSERT_TRUE(refused) << refused.error().message();
  EXPECT_FALSE(refused->seq.has_value());
  EXPECT_FALSE(refused->not_member);
  EXPECT_EQ(refused->store_error, test::scripted_store::failure());
  EXPECT_TRUE(drain(*alice).empty());
  EXPECT_TRUE(drain(*bob).empty()) << "nobody hears a message that was not kept";
  EXPECT_FALSE(scripted_.find_room("fragile")) << "nothing stored";

  EXPECT_EQ(r.ask_blocking(room_actor::say{{"s-b", ""}, "kept"})->seq, 1u);
  auto heard = drain(*alice);
  ASSERT_EQ(heard.size(), 1u) << "alice is still a member";
  EXPECT_EQ(heard[0]["seq"], 1);
  EXPECT_EQ(heard[0]["text"], "kept");
  EXPECT_EQ(sessions_in(r), (std::vector<std::string>{"s-a", "s-b"}));
  EXPECT_EQ(r.core()->info().restarts, 0u);
}

TEST_F(room_actor_test, history_keeps_the_newest_and_filters_by_since) {
  env_.room_history = 3;
  auto r = room("hist");
  for (int i = 1; i <= 5; ++i)
    r.ask_blocking(room_actor::say{{"", "bot"}, std::string("m").append(std::to_string(i))})
        .value();
  auto all = r.ask_blocking(room_actor::history{0}).value();
  EXPECT_EQ(all.last_seq, 5u);
  ASSERT_EQ(all.messages.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(all.messages[0]->text())["seq"], 3);
  auto since = r.ask_blocking(room_actor::history{4}).value();
  ASSERT_EQ(since.messages.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(since.messages[0]->text())["text"], "m5");
  EXPECT_TRUE(r.ask_blocking(room_actor::history{5})->messages.empty());
}

TEST_F(room_actor_test, leave_tells_the_others_and_unknown_leave_is_refused) {
  auto r = room("bye");
  auto alice = std::make_shared<outbox>(16);
  auto bob = std::make_shared<outbox>(16);
  r.ask_blocking(room_actor::join{{"s-a", "alice"}, alice, {}}).value();
  r.ask_blocking(room_actor::join{{"s-b", "bob"}, bob, {}}).value();
  drain(*alice);
  EXPECT_TRUE(r.ask_blocking(room_actor::leave{"s-b"}).value());
  EXPECT_FALSE(r.ask_blocking(room_actor::leave{"s-b"}).value());
  auto seen = drain(*alice);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["event"], "leave");
  EXPECT_EQ(seen[0]["member"]["name"], "bob");
  EXPECT_EQ(r.ask_blocking(room_actor::describe{})->members.size(), 1u);
}

TEST_F(room_actor_test, census_counts_members_and_messages_without_listing_them) {
  auto r = room("counted");
  EXPECT_EQ(r.ask_blocking(room_actor::census{})->members, 0u);
  auto alice = std::make_shared<outbox>(16);
  auto bob = std::make_shared<outbox>(16);
  r.ask_blocking(room_actor::join{{"s-a", "alice"}, alice, {}}).value();
  r.ask_blocking(room_actor::join{{"s-b", "bob"}, bob, {}}).value();
  r.ask_blocking(room_actor::say{{"s-a", "alice"}, "one"}).value();
  r.ask_blocking(room_actor::say{{"s-b", "bob"}, "two"}).value();
  auto counts = r.ask_blocking(room_actor::census{}).value();
  EXPECT_EQ(counts.members, 2u);
  EXPECT_EQ(counts.last_seq, 2u);
  bob.reset();  // bob's connection is gone: the census does not count him
  counts = r.ask_blocking(room_actor::census{}).value();
  EXPECT_EQ(counts.members, 1u);
  EXPECT_EQ(counts.last_seq, 2u);
}

TEST_F(room_actor_test, an_empty_room_passivates_and_comes_back_with_its_numbering) {
  env_.idle_timeout = std::chrono::milliseconds(50);
  auto r = room("passive");
  auto alice = std::make_shared<outbox>(16);
  r.ask_blocking(room_actor::join{{"s-a", "alice"}, alice, {}}).value();
  r.ask_blocking(room_actor::say{{"s-a", ""}, "before"}).value();
  auto epoch = r.ask_blocking(room_actor::describe{})->epoch;
  r.ask_blocking(room_actor::leave{"s-a"}).value();
  EXPECT_EQ(r.wait(), exit_reason::normal);

  auto again = room("passive");
  EXPECT_NE(again.id(), r.id()) << "a fresh incarnation";
  auto s = again.ask_blocking(room_actor::say{{"", "bot"}, "after"}).value();
  EXPECT_EQ(s.seq, 2u) << "numbering continues from the store";
  auto d = again.ask_blocking(room_actor::describe{}).value();
  EXPECT_EQ(d.epoch, epoch);
  EXPECT_EQ(d.messages.size(), 2u);
}

// A member whose connection is gone without its leave arriving (the leave was refused by a full
// mailbox) is removed at the next broadcast or listing, with the leave event; a late leave then
// says nothing more.
TEST_F(room_actor_test, a_member_whose_connection_is_gone_is_removed_with_a_leave_event) {
  auto r = room("ghosts");
  auto alice = std::make_shared<outbox>(16);
  auto bob = std::make_shared<outbox>(16);
  auto carol = std::make_shared<outbox>(16);
  r.ask_blocking(room_actor::join{{"s-a", "alice"}, alice, {}}).value();
  r.ask_blocking(room_actor::join{{"s-b", "bob"}, bob, {}}).value();
  r.ask_blocking(room_actor::join{{"s-c", "carol"}, carol, {}}).value();
  drain(*alice);
  bob.reset();  // bob's connection ends; his leave never comes

  EXPECT_EQ(r.ask_blocking(room_actor::say{{"s-a", ""}, "anyone?"})->seq, 1u);
  const auto leave_of_bob = nlohmann::json{{"type", "room.presence"},
                                           {"room", "ghosts"},
                                           {"event", "leave"},
                                           {"member", {{"session", "s-b"}, {"name", "bob"}}}};
  auto seen = drain(*alice);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0]["type"], "room.message");
  EXPECT_EQ(seen[1], leave_of_bob);
  EXPECT_EQ(sessions_in(r), (std::vector<std::string>{"s-a", "s-c"}));

  EXPECT_FALSE(r.ask_blocking(room_actor::leave{"s-b"}).value()) << "bob was already gone";
  drain(*carol);
  carol.reset();  // a listing finds carol gone too
  EXPECT_EQ(sessions_in(r), std::vector<std::string>{"s-a"});
  seen = drain(*alice);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["event"], "leave");
  EXPECT_EQ(seen[0]["member"]["session"], "s-c");
}

// A room is stored only once it has a message (joining or reading one leaves nothing behind),
// under the epoch it announced; a room not running answers from that record.
TEST_F(room_actor_test, a_room_is_stored_with_its_first_message_under_its_epoch) {
  auto alice = std::make_shared<outbox>(16);
  auto r = room("quiet");
  const auto epoch = join(r, {"s-a", "alice"}, alice)["epoch"].get<std::string>();
  r.ask_blocking(room_actor::history{0}).value();
  EXPECT_FALSE(store_.find_room("quiet")) << "nothing stored for a room without messages";
  EXPECT_TRUE(store_.list_rooms().empty());

  EXPECT_EQ(r.ask_blocking(room_actor::say{{"s-a", ""}, "one"})->seq, 1u);
  EXPECT_EQ(r.ask_blocking(room_actor::say{{"s-a", ""}, "two"})->seq, 2u);
  const auto stored = store_.find_room("quiet");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->epoch, epoch) << "stored under the epoch the room announced";
  const auto from_store = room_actor::stored_snapshot(*stored, 1);
  const auto from_room = r.ask_blocking(room_actor::history{1}).value();
  EXPECT_TRUE(from_store.members.empty());
  EXPECT_EQ(from_store.last_seq, 2u);
  EXPECT_EQ(from_store.epoch, epoch);
  ASSERT_EQ(from_store.messages.size(), 1u);
  ASSERT_EQ(from_room.messages.size(), 1u);
  EXPECT_EQ(from_store.messages[0].get(), from_room.messages[0].get()) << "the same frame";
}

// A join, say or leave whose ask timed out before the room handled it changes nothing: the client
// was told `timeout`, so it must not be in the room (or out of it, or heard) after all.
TEST_F(room_actor_test, asks_that_timed_out_before_the_room_handled_them_change_nothing) {
  auto r = room("slow");
  auto alice = std::make_shared<outbox>(16);
  auto bob = std::make_shared<outbox>(16);
  join(r, {"s-a", "alice"}, alice);

  auto& c = asker_;
  std::future<result<void>> join;
  std::future<result<room_actor::say_reply>> say;
  std::future<result<bool>> leave;
  {
    io_threads_held hold(system_);  // the asks time out before the room sees them
    join = c.spawn(r.ask(room_actor::join{{"s-b", "bob"}, bob, {}}, std::chrono::milliseconds(30)));
    say = c.spawn(r.ask(room_actor::say{{"s-a", ""}, "lost"}, std::chrono::milliseconds(30)));
    leave = c.spawn(r.ask(room_actor::leave{"s-a"}, std::chrono::milliseconds(30)));
    EXPECT_TRUE(c.run_until(join));
    EXPECT_TRUE(c.run_until(say));
    EXPECT_TRUE(c.run_until(leave));
  }
  ASSERT_TRUE(c.run_until(join) && c.run_until(say) && c.run_until(leave));
  EXPECT_EQ(join.get().error(), actor_errc::timeout);
  EXPECT_EQ(say.get().error(), actor_errc::timeout);
  EXPECT_EQ(leave.get().error(), actor_errc::timeout);

  const auto after = r.ask_blocking(room_actor::describe{}).value();
  ASSERT_EQ(after.members.size(), 1u) << "bob did not join, alice did not leave";
  EXPECT_EQ(after.members[0].session, "s-a");
  EXPECT_EQ(after.last_seq, 0u) << "nothing was said";
  EXPECT_TRUE(drain(*alice).empty()) << "no presence event, no message";
  EXPECT_TRUE(drain(*bob).empty()) << "no room.joined for bob";
}

// Members who vanished while nothing reached the room (their leave refused) do not keep it open
// for good: while it has members it looks for departed ones every rooms.idle_ms, then passivates.
TEST_F(room_actor_test, members_who_vanished_unheard_do_not_keep_the_room_open) {
  env_.idle_timeout = std::chrono::milliseconds(50);
  auto r = room("haunted");
  auto alice = std::make_shared<outbox>(16);
  r.ask_blocking(room_actor::join{{"s-a", "alice"}, alice, {}}).value();
  EXPECT_FALSE(stops_within(r, std::chrono::milliseconds(200))) << "an occupied room stays open";
  alice.reset();  // the connection is gone; no leave comes
  EXPECT_TRUE(stops_within(r, std::chrono::seconds(5)));
  EXPECT_EQ(r.exit(), exit_reason::normal);
}

}  // namespace
}  // namespace troupe
