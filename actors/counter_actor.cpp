#include "actors/counter_actor.hpp"

#include "actors/occupancy.hpp"
#include "actors/store/state_store.hpp"
#include "server/protocol/encode.hpp"

#include <spdlog/spdlog.h>

namespace troupe {

counter_actor::counter_actor(std::string name, const domain_env& env)
    : name_(std::move(name)), env_(env) {}

void counter_actor::on_start(actor_context<counter_actor>& ctx) {
  value_ = env_.store->load_counter(name_);
  update_idle(ctx);
}

// The store may have forgotten the value while this counter was open (it keeps only the most
// recently used ones): putting it back as the counter closes means an open counter's value is
// never lost, only a closed one's, as the least recently used.
void counter_actor::on_stop() {
  if (value_ == 0) return;
  if (auto ec = env_.store->save_counter(name_, value_))
    spdlog::error("counter '{}' could not be saved as it closed: {}", name_, ec.message());
}

// inc, watch and unwatch first claim their reply: one whose ask has timed out changes nothing.
counter_actor::value_reply counter_actor::handle(inc m, actor_context<counter_actor>& ctx) {
  if (!ctx.claim_reply()) return {};
  std::int64_t next = 0;
  if (__builtin_add_overflow(value_, m.by, &next)) return {value_, true, {}};
  if (m.by == 0) return {value_, false, {}};  // no change: nothing to store or push
  // Saved first: a store that fails leaves the value, and the watchers, as they were.
  if (auto ec = env_.store->save_counter(name_, next)) return {value_, false, ec};
  value_ = next;
  const bool watched = !watchers_.empty();
  publish();
  // publish drops departed watchers itself; only dropping the last one changes how long it stays.
  if (watched && watchers_.empty()) update_idle(ctx);
  return {value_, false, {}};
}

std::int64_t counter_actor::handle(get) {
  return value_;
}

std::int64_t counter_actor::handle(watch m, actor_context<counter_actor>& ctx) {
  if (!ctx.claim_reply()) return 0;
  if (auto to = m.to.lock())
    to->push(make_frame(protocol::encode_counter_value(m.id, name_, value_)));
  watchers_.insert_or_assign(std::move(m.session), std::move(m.to));
  update_idle(ctx);
  return value_;
}

bool counter_actor::handle(unwatch m, actor_context<counter_actor>& ctx) {
  if (!ctx.claim_reply()) return false;
  bool was = watchers_.erase(m.session) > 0;
  update_idle(ctx);
  return was;
}

void counter_actor::handle(reap, actor_context<counter_actor>& ctx) {
  update_idle(ctx);
}

void counter_actor::publish() {
  if (watchers_.empty()) return;
  auto f = make_frame(protocol::encode_counter_value(std::nullopt, name_, value_));
  std::erase_if(watchers_, [&](auto& w) {
    auto to = w.second.lock();
    return !to || !to->push(f);
  });
}

// Watched counters stay; unwatched ones passivate when idle (their value is in the store). A
// watcher whose connection is gone counts for nothing (its unwatch may have been refused).
void counter_actor::update_idle(actor_context<counter_actor>& ctx) {
  std::erase_if(watchers_, [](const auto& w) { return w.second.expired(); });
  keep_open_while_occupied<reap>(ctx, !watchers_.empty(), env_.idle_timeout, reaping_);
}

}  // namespace troupe
