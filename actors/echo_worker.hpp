#pragma once
// echo_worker: a stateless worker; any of a pool's workers (and, later, any node) can answer.
// It does the echo's real work — serialising the reply — off the session's coroutine.
#include "server/protocol/requests.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <variant>

namespace troupe {

class echo_worker {
 public:
  static constexpr const char* kind = "echo";

  struct request {
    protocol::request_id id;
    nlohmann::json payload;
  };
  using message = std::variant<request>;

  explicit echo_worker(std::size_t index) : index_(index) {}

  std::string handle(request r) const;  // the encoded echo reply

 private:
  std::size_t index_;
};

}  // namespace troupe
