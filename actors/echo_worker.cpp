#include "actors/echo_worker.hpp"

#include "server/protocol/encode.hpp"

namespace troupe {

std::string echo_worker::handle(request r) const { return protocol::encode_echo(r.id, r.payload, index_); }

}  // namespace troupe
