#pragma once
// read_hub: one per io thread; tells that thread's connections when their sockets have bytes
// to read, many sockets per system call.
//
// Why not Asio's own reads: Asio tries every socket read speculatively first, and a reader
// that handled one frame and reads again finds nothing, so every received frame costs a
// wasted recvmsg (or, waiting with async_wait, an epoll_ctl). The hub keeps the sockets in a
// private edge-triggered epoll set, itself watched by the io_context; one readiness event of
// that set yields every ready socket, and each then costs exactly one recvmsg (connection.cpp
// reads until a short read, after which the kernel raises a new edge for new bytes).
//
// Runs on its io thread only. Connections register once connected; closing a socket removes
// it from the set, so a connection needs no deregistration (connections are destroyed only in
// completion handlers other than the hub's, never in the middle of its batch).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/error_code.hpp>

namespace troupe::load {

struct connection;

class read_hub {
 public:
  // The hub of the calling io thread, made on first use with that thread's executor. It lives
  // as long as the thread.
  static read_hub& of_this_thread(const boost::asio::any_io_executor& ex);

  explicit read_hub(const boost::asio::any_io_executor& ex);
  read_hub(const read_hub&) = delete;
  read_hub& operator=(const read_hub&) = delete;

  // Watches c's (connected) socket; c.on_readable() runs for each new batch of bytes.
  boost::system::error_code add(connection& c);

 private:
  void wait();
  void on_ready();

  boost::asio::posix::stream_descriptor epoll_;
};

}  // namespace troupe::load
