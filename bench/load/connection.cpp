#include "bench/load/connection.hpp"

#include "bench/load/load_errors.hpp"
#include "bench/load/read_hub.hpp"
#include "bench/load/ws_upgrade.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

#include <netinet/in.h>

#include <memory>
#include <vector>

namespace troupe::load {
namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using ws_error = beast::websocket::error;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Lets the kernel pick the local port at connect time, per destination, so the ephemeral range
// is not shared by every connection bound to the same source address.
using bind_address_no_port =
    asio::detail::socket_option::boolean<IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT>;

// Where every connection of this io thread reads. A reader holds it only from its read to the
// end of handing out what it read, with no suspension in between, so the thread's connections
// never see each other's bytes, and an idle connection holds no read buffer.
std::span<char> thread_scratch() {
  thread_local std::vector<char> scratch(64 * 1024);
  return scratch;
}

bool would_block(error_code ec) noexcept {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

void shut(connection& c);

// Closes the connection's socket if the steps it guards are still under way when `timeout`
// runs out, so that whatever they wait on fails; explain() then turns that failure into
// beast::error::timeout. The timer's handler may run after the guard (and the connection) are
// gone: it touches the connection only while the guard is armed.
class deadline_guard {
 public:
  deadline_guard(connection& c, std::chrono::nanoseconds timeout)
      : state_(std::make_shared<state>()), timer_(c.socket.get_executor()) {
    timer_.expires_after(timeout);
    timer_.async_wait([&c, s = state_](error_code ec) {
      if (ec || !s->armed) return;
      s->fired = true;
      shut(c);
    });
  }
  deadline_guard(const deadline_guard&) = delete;
  deadline_guard& operator=(const deadline_guard&) = delete;
  ~deadline_guard() { state_->armed = false; }

  error_code explain(error_code ec) const noexcept {
    return ec && state_->fired ? error_code{beast::error::timeout} : ec;
  }

 private:
  struct state {
    bool armed = true;
    bool fired = false;
  };
  std::shared_ptr<state> state_;
  asio::steady_timer timer_;  // destroyed with the guard, which cancels the wait
};

// Sends c.queued, and whatever is queued while it does, until nothing is left. A direct
// non-blocking send first: only a full socket makes it wait.
asio::awaitable<error_code> write_queued(connection& c) {
  c.writing = true;
  error_code ec;
  while (!ec && !c.queued.empty()) {
    c.out.swap(c.queued);
    std::size_t done = 0;
    while (done < c.out.size()) {
      done += c.socket.write_some(asio::buffer(c.out.data() + done, c.out.size() - done), ec);
      if (would_block(ec)) {
        std::tie(ec) = co_await c.socket.async_wait(tcp::socket::wait_write, use_tuple);
      }
      if (ec) break;
    }
    c.out.clear();
  }
  c.writing = false;
  co_return ec;
}

asio::awaitable<error_code> send_frame(connection& c, ws_opcode op, std::string_view payload) {
  append_client_frame(c.queued, op, payload, c.keys.next());
  if (c.writing) co_return error_code{};  // the write under way sends it next
  co_return co_await write_queued(c);
}

bool needs_reader(const ws_receiver::outcome& r, const connection& c) noexcept {
  return r.stopped || r.close_received || r.error || (!c.queued.empty() && !c.writing);
}

// One read of what the socket holds into the receiver, which hands out the complete messages.
// A short read means the socket is empty: the hub reports the next bytes.
ws_receiver::outcome read_now(connection& c, message_sink on_message, error_code& ec) {
  const std::span<char> into = c.receiver.prepare(thread_scratch());
  const std::size_t n = c.socket.read_some(asio::buffer(into.data(), into.size()), ec);
  if (ec && !would_block(ec)) return {};  // eof included
  ec = {};
  if (n < into.size()) c.readable = false;
  if (n > 0) c.received_at = std::chrono::steady_clock::now();
  return c.receiver.commit(n, on_message, c.queued, c.keys);
}

// Resumes the parked reader (through the executor: never inside the hub's batch).
void wake_reader(connection& c, error_code ec, const ws_receiver::outcome& r) {
  c.parked = nullptr;
  c.parked_outcome = r;
  asio::post(c.socket.get_executor(), [h = std::move(*c.wake), ec]() mutable { std::move(h)(ec); });
  c.wake.reset();
}

// Closes the socket under every reader and writer of `c`; a parked reader learns it from us.
void shut(connection& c) {
  error_code ignored;
  c.socket.close(ignored);
  if (c.parked) wake_reader(c, asio::error::operation_aborted, {});
}

auto park(connection& c) {
  return asio::async_initiate<decltype(use_tuple), void(error_code)>(
      [&c](auto handler) { c.wake.emplace(std::move(handler)); }, use_tuple);
}

asio::awaitable<error_code> read_loop(connection& c, message_sink on_message) {
  ws_receiver::outcome r = c.receiver.drain(on_message, c.queued, c.keys);
  for (;;) {
    if (r.error) co_return r.error;
    if (r.close_received && !c.closing) {
      // The server closes: answer with its code, as RFC 6455 5.5.1 asks, and let go.
      const std::uint16_t code = c.receiver.close_code();
      append_client_frame(c.queued, ws_opcode::close, code == 1005 ? "" : close_payload(code),
                          c.keys.next());
    }
    if (!c.queued.empty() && !c.writing) {
      if (const error_code ec = co_await write_queued(c)) co_return ec;
    }
    if (r.close_received) {
      if (!c.closing) {
        shut(c);  // closed by the server: nothing left for close_connection to do
        c.open = false;
      }
      co_return ws_error::closed;
    }
    if (r.stopped) co_return error_code{};
    error_code ec;
    if (c.readable) {
      r = read_now(c, on_message, ec);
    } else {
      c.parked = &on_message;  // a coroutine parameter: it stays put while we wait
      std::tie(ec) = co_await park(c);
      r = c.parked_outcome;
    }
    if (ec) co_return ec;
  }
}

// Reads messages until `answer` returns a verdict for one (nullopt: not the answer, keep
// reading) or the connection fails.
template <class Answer>
asio::awaitable<error_code> read_until(connection& c, Answer answer) {
  std::optional<error_code> verdict;
  auto on_message = [&](std::string_view message) {
    verdict = answer(message);
    return verdict ? next_step::stop : next_step::keep_reading;
  };
  while (!verdict) {
    if (const error_code ec = co_await read_messages(c, on_message)) co_return ec;
  }
  co_return *verdict;
}

// Reads the upgrade response head; what follows it goes to the receiver.
asio::awaitable<error_code> read_upgrade_response(connection& c) {
  std::string received;
  for (;;) {
    auto [ec] = co_await c.socket.async_wait(tcp::socket::wait_read, use_tuple);
    if (ec) co_return ec;
    const std::span<char> scratch = thread_scratch();
    const std::size_t n = c.socket.read_some(asio::buffer(scratch.data(), scratch.size()), ec);
    if (would_block(ec)) continue;
    if (ec) co_return ec;
    received.append(scratch.data(), n);
    if (const std::size_t head = response_head_size(received)) {
      c.receiver.seed(std::string_view(received).substr(head));
      co_return check_upgrade_response(std::string_view(received).substr(0, head));
    }
    if (received.size() > max_response_head) co_return beast::http::error::header_limit;
  }
}

// After the close frames crossed: like Beast, shut down our sending side and wait for the
// server's end of stream before closing, so neither side resets the connection.
asio::awaitable<error_code> tear_down(connection& c) {
  error_code ec;
  c.socket.shutdown(tcp::socket::shutdown_send, ec);
  while (!ec) {
    std::tie(ec) = co_await c.socket.async_wait(tcp::socket::wait_read, use_tuple);
    if (ec) break;
    const std::span<char> scratch = thread_scratch();
    (void)c.socket.read_some(asio::buffer(scratch.data(), scratch.size()), ec);
    if (would_block(ec)) ec = {};
  }
  co_return ec == asio::error::eof ? error_code{} : ec;
}

}  // namespace

void connection::on_readable() {
  readable = true;
  while (parked && readable) {
    error_code ec;
    const ws_receiver::outcome r = read_now(*this, *parked, ec);
    if (ec || needs_reader(r, *this)) wake_reader(*this, ec, r);
  }
}

void connection::abandon_reader() noexcept {
  parked = nullptr;
  wake.reset();
}

connection::connection(asio::io_context& ctx, std::size_t thread_index)
    : socket(ctx),
      keys([thread_index] {
        thread_local std::uint32_t made = 0;
        return static_cast<std::uint32_t>(++made * 0x9E3779B9u + thread_index);
      }()),
      thread(thread_index) {}

std::optional<asio::ip::address_v4> dial_plan::source_address(std::uint64_t n) const noexcept {
  if (source_ips == 0) return std::nullopt;
  return asio::ip::address_v4((127u << 24) | (2u + static_cast<unsigned>(n % source_ips)));
}

asio::awaitable<error_code> send_text(connection& c, std::string_view text) {
  return send_frame(c, ws_opcode::text, text);
}

asio::awaitable<error_code> read_messages(connection& c, message_sink on_message) {
  c.reading = true;
  const error_code ec = c.read_end ? c.read_end : co_await read_loop(c, on_message);
  c.reading = false;
  if (ec) c.read_end = ec;
  if (c.close_waiter) c.close_waiter->cancel();
  co_return ec;
}

asio::awaitable<error_code> open_connection(connection& c, const dial_plan& plan, std::uint64_t n) {
  deadline_guard deadline(c, plan.timeout);
  error_code ec;
  if (auto local = plan.source_address(n)) {
    c.socket.open(tcp::v4(), ec);
    if (!ec) c.socket.set_option(bind_address_no_port(true), ec);
    if (!ec) c.socket.bind({*local, 0}, ec);
    if (ec) co_return ec;
  }
  std::tie(ec) = co_await c.socket.async_connect(plan.remote, use_tuple);
  if (!ec) c.socket.set_option(tcp::no_delay(true), ec);
  if (!ec) c.socket.non_blocking(true, ec);  // direct sends and reads must never block
  if (ec) co_return deadline.explain(ec);

  c.queued = upgrade_request(plan.host_header, "/ws");
  ec = co_await write_queued(c);
  if (!ec) ec = co_await read_upgrade_response(c);
  if (!ec) ec = read_hub::of_this_thread(c.socket.get_executor()).add(c);
  c.readable = true;  // bytes may have come before the hub watched the socket
  if (!ec && plan.target == target_kind::troupe) {
    ec = co_await read_until(c, [](std::string_view m) -> std::optional<error_code> {
      if (scan_frame(m).type == "welcome") return error_code{};
      return error_code{load_errc::no_welcome};
    });
  }
  if (ec) co_return deadline.explain(ec);
  c.open = true;
  co_return error_code{};
}

asio::awaitable<error_code> join_room(connection& c, target_kind target, std::uint64_t id,
                                      std::string room, std::string name,
                                      std::chrono::nanoseconds timeout) {
  deadline_guard deadline(c, timeout);
  error_code ec = co_await send_text(c, room_join_request(target, id, room, name));
  if (!ec) {
    if (target == target_kind::baseline) {
      // The baseline acknowledges a join by echoing the room name.
      ec = co_await read_until(c, [&](std::string_view m) -> std::optional<error_code> {
        return m == room ? error_code{} : error_code{load_errc::join_refused};
      });
    } else {
      ec = co_await read_until(c, [&](std::string_view m) -> std::optional<error_code> {
        const frame_fields f = scan_frame(m);
        if (f.type == "room.joined") return error_code{};
        if (f.id == id) return error_code{load_errc::join_refused};
        return std::nullopt;  // presence events and the like
      });
    }
  }
  co_return deadline.explain(ec);
}

asio::awaitable<error_code> leave_room(connection& c, std::uint64_t id, std::string room,
                                       std::chrono::nanoseconds timeout) {
  deadline_guard deadline(c, timeout);
  error_code ec = co_await send_text(c, room_leave_request(id, room));
  if (!ec) {
    ec = co_await read_until(c, [&](std::string_view m) -> std::optional<error_code> {
      const frame_fields f = scan_frame(m);
      if (f.id != id) return std::nullopt;
      return f.type == "error" ? error_code{load_errc::error_reply} : error_code{};
    });
  }
  co_return deadline.explain(ec);
}

asio::awaitable<error_code> close_connection(connection& c, std::chrono::nanoseconds timeout) {
  c.closing = true;
  // Past the timeout, the guard closes the socket under every reader and writer of `c`.
  deadline_guard deadline(c, timeout);
  error_code ec = co_await send_frame(c, ws_opcode::close, close_payload(1000));
  // Wait for the server's close frame. Another coroutine may be reading `c` (a member's
  // reader, a request loop): it gets the frame, and wakes us whenever one of its reads ends;
  // if it then stops reading, we read ourselves.
  asio::steady_timer woken(c.socket.get_executor());
  auto discard = [](std::string_view) { return next_step::keep_reading; };
  while (!ec && !c.read_end) {
    if (c.reading) {
      woken.expires_at(asio::steady_timer::time_point::max());
      c.close_waiter = &woken;
      (void)co_await woken.async_wait(use_tuple);
      c.close_waiter = nullptr;
    } else {
      (void)co_await read_messages(c, discard);
    }
  }
  if (!ec && c.read_end != ws_error::closed) ec = c.read_end;
  if (!ec) ec = co_await tear_down(c);
  shut(c);
  c.open = false;
  co_return deadline.explain(ec);
}

bool is_closed_error(error_code ec) noexcept {
  return ec == ws_error::closed || ec == asio::error::operation_aborted ||
         ec == beast::error::timeout || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::bad_descriptor;
}

}  // namespace troupe::load
