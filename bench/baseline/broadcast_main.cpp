// baseline_broadcast: a raw Beast WebSocket room server, the reference point for troupe's rooms.
// Protocol: the first frame names the room to join (echoed back); later frames go to the room.
#include "bench/baseline/broadcast_session.hpp"
#include "bench/baseline/room_registry.hpp"
#include "bench/baseline/server_runner.hpp"

#include <boost/asio/co_spawn.hpp>

int main(int argc, char** argv) {
  troupe::baseline::room_registry rooms;
  return troupe::baseline::run_server(argc, argv, "baseline_broadcast", [&rooms](auto socket) {
    auto ex = socket.get_executor();
    auto session = std::make_shared<troupe::baseline::broadcast_session>(std::move(socket), rooms);
    boost::asio::co_spawn(ex, session->run(),
                          [session](std::exception_ptr e) { troupe::baseline::log_exception(e); });
  });
}
