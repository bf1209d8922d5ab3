#pragma once
// run_server: what both raw-Beast baselines share. It parses --host --port --threads, listens
// (port 0: the kernel picks one; the bound address is printed as "listening on HOST:PORT"),
// runs one io_context on --threads threads, and hands every accepted socket, already bound to
// a strand of its own, to `start_session`, which runs on the accept loop's thread.
// SIGINT/SIGTERM stop the io_context at once (a baseline has nothing to save).
// Returns main's exit code: non-zero when the command line is bad or listening fails.
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <functional>
#include <string_view>

namespace troupe::baseline {

using session_starter = std::function<void(boost::asio::ip::tcp::socket)>;

int run_server(int argc, char** argv, std::string_view name, session_starter start_session);

// Errors that only mean the peer went away (or we are shutting down): not worth a log line.
bool is_disconnect(boost::system::error_code ec) noexcept;
// Logs an unexpected session error once, to stderr.
void log_error(std::string_view what, boost::system::error_code ec);
// A co_spawn completion handler that logs an exception escaping a session.
void log_exception(std::exception_ptr e);

}  // namespace troupe::baseline
