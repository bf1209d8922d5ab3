#include "actors/runtime/errors.hpp"

#include <string>

namespace troupe {
namespace {

class actor_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "troupe.actor"; }
  std::string message(int ev) const override {
    switch (static_cast<actor_errc>(ev)) {
      case actor_errc::mailbox_full: return "mailbox full";
      case actor_errc::stopped: return "actor stopped";
      case actor_errc::timeout: return "ask timed out";
      case actor_errc::handler_failed: return "handler failed";
      case actor_errc::deadlock: return "ask would deadlock";
      case actor_errc::too_many: return "too many actors of this kind";
    }
    return "unknown actor error";
  }
};

}  // namespace

const boost::system::error_category& actor_category() noexcept {
  static const actor_category_impl category;
  return category;
}

}  // namespace troupe
