#include "bench/load/load_errors.hpp"

#include <string>

namespace troupe::load {
namespace {

class load_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "troupe.load"; }
  std::string message(int ev) const override {
    switch (static_cast<load_errc>(ev)) {
      case load_errc::no_welcome:
        return "server did not send a welcome frame first";
      case load_errc::join_refused:
        return "server refused the room join";
      case load_errc::error_reply:
        return "server replied with an error frame";
      case load_errc::unexpected_frame:
        return "unexpected frame from the server";
    }
    return "unknown load error";
  }
};

}  // namespace

const boost::system::error_category& load_category() noexcept {
  static const load_category_impl category;
  return category;
}

}  // namespace troupe::load
