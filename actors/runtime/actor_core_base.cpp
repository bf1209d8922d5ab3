#include "actors/runtime/actor_core_base.hpp"

#include "actors/runtime/actor_executor.hpp"
#include "actors/runtime/actor_ref.hpp"
#include "actors/runtime/actor_system.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace troupe {

std::string_view to_string(exit_reason r) noexcept {
  switch (r) {
    case exit_reason::normal: return "normal";
    case exit_reason::failure: return "failure";
    case exit_reason::restarts_exhausted: return "restarts_exhausted";
    case exit_reason::shutdown: return "shutdown";
  }
  return "unknown";
}

actor_core_base::actor_core_base(actor_system& system, std::uint64_t id, std::string name,
                                 std::string kind, std::type_index type, restart_policy policy)
    : policy_(policy),
      system_(system),
      id_(id),
      name_(std::move(name)),
      kind_(std::move(kind)),
      type_(type) {}

actor_core_base::~actor_core_base() = default;

actor_info actor_core_base::info() const {
  return actor_info{id_,     name_,   kind_, depth(), capacity(), handled_.load(std::memory_order_relaxed),
                    restarts_.load(std::memory_order_relaxed)};
}

void actor_core_base::add_watcher(watcher w) {
  std::unique_lock lock(term_mu_);
  if (reason_) {
    auto r = *reason_;
    lock.unlock();
    w(actor_terminated{id_, name_, kind_, r});
    return;
  }
  watchers_.push_back(std::move(w));
}

std::optional<exit_reason> actor_core_base::exit() const {
  std::lock_guard lock(term_mu_);
  return reason_;
}

void actor_core_base::on_closed() {
  if (!name_.empty()) system_.forget_name(*this);
}

void actor_core_base::terminate(exit_reason r) {
  std::vector<watcher> watchers;
  std::vector<stored_handler<exit_reason>> joiners;
  {
    std::lock_guard lock(term_mu_);
    if (reason_) return;
    reason_ = r;
    watchers.swap(watchers_);
    joiners.swap(joiners_);
  }
  on_closed();
  const actor_terminated note{id_, name_, kind_, r};
  for (auto& w : watchers) w(note);
  for (auto& j : joiners) std::move(j).post(r);
  system_.forget(*this);
}

bool actor_core_base::may_restart(std::chrono::steady_clock::time_point now) {
  std::erase_if(restart_times_, [&](auto t) { return now - t > policy_.within; });
  if (restart_times_.size() >= policy_.max_restarts) return false;
  restart_times_.push_back(now);
  restarts_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void actor_core_base::log_failure(std::exception_ptr e, const char* where) const {
  std::string what = "unknown exception";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    what = ex.what();
  } catch (...) {
  }
  spdlog::warn("actor {} '{}' ({}) failed in {}: {}", id_, name_, kind_, where, what);
}

void actor_core_base::log_dropped(std::size_t n) const {
  spdlog::warn("actor {} '{}' ({}) stopped with {} queued tell(s) unhandled", id_, name_, kind_, n);
}

deadline_wheel& actor_core_base::deadlines() const noexcept { return system_.deadlines(); }
latency_histogram& actor_core_base::ask_latency() const noexcept { return system_.ask_latency(); }
std::chrono::milliseconds actor_core_base::default_ask_timeout() const noexcept {
  return system_.config().ask_timeout;
}
bool actor_core_base::on_io_thread() const noexcept { return system_.on_io_thread(); }

boost::system::error_code to_error(push_result r) noexcept {
  switch (r) {
    case push_result::accepted: return {};
    case push_result::full: return make_error_code(actor_errc::mailbox_full);
    case push_result::closed: return make_error_code(actor_errc::stopped);
  }
  return make_error_code(actor_errc::stopped);
}

actor_core_base* running_actor(const boost::asio::any_io_executor& ex) noexcept {
  auto* ae = ex.target<actor_executor>();
  return ae ? ae->actor() : nullptr;
}

void require_not_io_thread(const actor_core_base& target) {
  if (target.on_io_thread())
    throw std::logic_error("blocking actor call on an io thread would stall the actors sharing it");
}

}  // namespace troupe
