#include "bench/load/read_hub.hpp"

#include "bench/load/connection.hpp"

#include <sys/epoll.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace troupe::load {

read_hub& read_hub::of_this_thread(const boost::asio::any_io_executor& ex) {
  thread_local std::unique_ptr<read_hub> hub;
  if (!hub) hub = std::make_unique<read_hub>(ex);
  return *hub;
}

read_hub::read_hub(const boost::asio::any_io_executor& ex) : epoll_(ex) {
  const int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) {
    throw boost::system::system_error(errno, boost::system::system_category(), "epoll_create1");
  }
  epoll_.assign(fd);
  wait();
}

boost::system::error_code read_hub::add(connection& c) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = &c;
  if (::epoll_ctl(epoll_.native_handle(), EPOLL_CTL_ADD, c.socket.native_handle(), &ev) != 0) {
    return {errno, boost::system::system_category()};
  }
  return {};
}

void read_hub::wait() {
  epoll_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                    [this](boost::system::error_code ec) {
                      if (!ec) on_ready();
                    });
}

void read_hub::on_ready() {
  std::array<epoll_event, 256> events;
  int n = 0;
  do {
    n = ::epoll_wait(epoll_.native_handle(), events.data(), static_cast<int>(events.size()), 0);
    for (int i = 0; i < n; ++i) static_cast<connection*>(events[i].data.ptr)->on_readable();
  } while (n == static_cast<int>(events.size()));
  wait();
}

}  // namespace troupe::load
