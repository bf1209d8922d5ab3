#pragma once
// frame: one encoded WebSocket text message, shared read-only by every recipient. A broadcast is
// serialized once and the same buffer is queued to each member.
#include <memory>
#include <string>

namespace troupe {

using frame = std::shared_ptr<const std::string>;

inline frame make_frame(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

}  // namespace troupe
