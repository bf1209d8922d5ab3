#include "server/idle_sweep.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace troupe {

idle_sweep::idle_sweep(boost::asio::io_context& io, keepalive_schedule schedule,
                       keepalive_clock& clock, connection_registry& connections)
    : schedule_(schedule),
      clock_(clock),
      connections_(connections),
      timer_(boost::asio::make_strand(io)) {}

void idle_sweep::start() {
  boost::asio::post(timer_.get_executor(), [this] { arm(); });
}

void idle_sweep::stop() {
  boost::asio::post(timer_.get_executor(), [this] {
    stopped_ = true;
    timer_.cancel();
  });
}

void idle_sweep::arm() {
  if (stopped_) return;
  timer_.expires_after(schedule_.tick);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_tick();
  });
}

void idle_sweep::on_tick() {
  const auto now = clock_.advance();
  for (auto& [connection, silent] : connections_.silent_since(now, schedule_.ping_after))
    connection->keepalive(schedule_.judge(silent));
  arm();
}

}  // namespace troupe
