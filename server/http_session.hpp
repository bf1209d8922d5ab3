#pragma once
// http_session: one accepted TCP connection speaking HTTP/1.1 (keep-alive), until it upgrades
// to a WebSocket on /ws and hands its socket to a websocket_session.
// Threads: runs on the connection's strand: the socket's executor, an io_context with one thread.
#include "server/connection_registry.hpp"
#include "server/server_context.hpp"

#include <boost/asio/ip/tcp.hpp>

namespace troupe {

// Serves `socket` (already on the io thread it keeps for life) until it closes.
void start_http_session(server_context& ctx, boost::asio::ip::tcp::socket socket,
                        connection_slot slot);

}  // namespace troupe
