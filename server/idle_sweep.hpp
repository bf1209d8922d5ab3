#pragma once
// idle_sweep: the server's one keep-alive timer. Every tick it advances the keepalive_clock and
// tells each WebSocket connection that has been silent long enough to ping its peer or, after
// the whole idle timeout, to drop it. Its cost is one short walk of the registry per tick
// (an eighth of the idle timeout) instead of a timer re-armed per message per connection.
// Threads: runs on a strand of the io_context it is given; start and stop from any thread.
#include "server/connection_registry.hpp"
#include "server/keepalive.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace troupe {

class idle_sweep {
 public:
  idle_sweep(boost::asio::io_context& io, keepalive_schedule schedule, keepalive_clock& clock,
             connection_registry& connections);

  void start();
  void stop();

 private:
  void arm();
  void on_tick();

  keepalive_schedule schedule_;
  keepalive_clock& clock_;
  connection_registry& connections_;
  // On its own strand: stop() comes from another thread, and the io_context given may have
  // several (the server's is the first io thread's, which has one: then the strand costs little).
  boost::asio::steady_timer timer_;
  bool stopped_ = false;  // on the strand too
};

}  // namespace troupe
