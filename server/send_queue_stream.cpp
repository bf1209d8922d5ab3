#include "server/send_queue_stream.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cerrno>

#include <array>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace troupe {
namespace asio = boost::asio;
using boost::system::error_code;

struct send_queue_stream::state final : send_batch::sender, std::enable_shared_from_this<state> {
  state(socket_type s, send_batch* b) : socket(std::move(s)), batch(b) {}

  // One queued write: a session's frame, or a copy of Beast's bytes with Beast's handler.
  struct entry {
    frame shared;
    std::string copy;
    write_handler done;
    std::size_t sent = 0;  // bytes of it already written

    std::string_view bytes() const noexcept {
      return shared ? shared->wire() : std::string_view(copy);
    }
  };

  // Gather writes take at most this many buffers (Asio's limit per system call too).
  static constexpr std::size_t max_buffers = send_batch::max_buffers;

  socket_type socket;
  send_batch* batch;  // null: every write is a system call of this stream's own
  std::vector<entry> queue;
  std::size_t head = 0;          // first entry not completely sent
  bool waiting = false;          // for the socket to become writable
  bool batched = false;          // in the batch's next submission
  std::size_t batch_wanted = 0;  // bytes gathered into it
  error_code error;              // the first write failure; once set nothing more is sent
  // Asio 1.81's any_completion_handler must not be move-assigned (its operator= copies the
  // source's pointers instead of taking them): handlers are only ever move-constructed here.
  std::optional<drained_handler> drained;

  bool empty() const noexcept { return head == queue.size(); }

  // Sends what is queued: through the batch when there is one, else at once.
  static void flush(const std::shared_ptr<state>& s) {
    if (s->waiting || s->batched || s->error) return;
    if (s->batch && !s->empty()) {
      s->batched = true;
      s->batch->add(s);
      return;
    }
    write_now(s);
  }

  // The batch is submitting: what to send now. (Gathered then, not on joining, because the
  // queue may grow in between, which moves a short copy's bytes; during the submission itself
  // nothing runs but the batch.)
  int gather(std::vector<iovec>& buffers) override {
    batch_wanted = 0;
    if (error || !socket.is_open()) return -1;  // closed: its number may be another socket's now
    std::size_t count = 0;
    for (auto i = head; i < queue.size() && count < max_buffers; ++i, ++count) {
      const auto b = queue[i].bytes().substr(queue[i].sent);
      buffers.push_back(iovec{const_cast<char*>(b.data()), b.size()});
      batch_wanted += b.size();
    }
    return socket.native_handle();
  }

  void sent(int result) override {
    batched = false;
    const auto self = shared_from_this();
    // Not sent by the batch (refused, or an operation this kernel's io_uring lacks): the stream
    // sends by itself, and a real socket error shows there.
    if (result == -ECANCELED || result == -EINVAL || result == -EOPNOTSUPP) return write_now(self);
    if (result == -EAGAIN || result == -EWOULDBLOCK) return wait_writable(self);
    if (result < 0) return fail(self, error_code(-result, boost::system::system_category()));
    consume(static_cast<std::size_t>(result));
    if (static_cast<std::size_t>(result) < batch_wanted) return wait_writable(self);
    // More than one gather write's worth was queued: the rest goes now, so the stream ends this
    // pass drained or blocked, and the writer never takes from the outbox while bytes wait.
    write_now(self);
  }

  // Writes until everything is sent, the socket is full (then waits for it) or a write fails.
  static void write_now(const std::shared_ptr<state>& s) {
    if (s->waiting || s->error) return;
    while (!s->empty()) {
      std::array<asio::const_buffer, max_buffers> buffers;
      std::size_t count = 0;
      std::size_t wanted = 0;
      for (auto i = s->head; i < s->queue.size() && count < buffers.size(); ++i) {
        const auto b = s->queue[i].bytes().substr(s->queue[i].sent);
        buffers[count++] = asio::buffer(b);
        wanted += b.size();
      }
      error_code ec;
      const auto written =
          s->socket.write_some(std::span<const asio::const_buffer>(buffers.data(), count), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        wait_writable(s);
        return;
      }
      if (ec) {
        fail(s, ec);
        return;
      }
      s->consume(written);
      if (written < wanted) {  // the socket's send buffer is full: the next write would fail
        wait_writable(s);
        return;
      }
    }
    // Drained: the queue's storage is given back, so an idle connection holds none.
    std::vector<entry>{}.swap(s->queue);
    s->head = 0;
    s->complete_drained();
  }

  static void wait_writable(const std::shared_ptr<state>& s) {
    s->waiting = true;
    s->socket.async_wait(socket_type::wait_write, [s](error_code ec) {
      s->waiting = false;
      if (ec) {
        fail(s, ec);
        return;
      }
      flush(s);
    });
  }

  static void fail(const std::shared_ptr<state>& s, error_code ec) {
    s->error = ec;
    for (auto i = s->head; i < s->queue.size(); ++i) {
      if (s->queue[i].done) s->post(std::move(s->queue[i].done), ec, 0);
    }
    s->queue.clear();
    s->head = 0;
    s->complete_drained();
  }

  // Retires `n` written bytes from the front (and any empty write there); Beast's writes
  // complete as their last byte goes.
  void consume(std::size_t n) {
    while (head < queue.size()) {
      auto& e = queue[head];
      const auto left = e.bytes().size() - e.sent;
      if (n < left) {
        e.sent += n;
        return;
      }
      n -= left;
      if (e.done) post(std::move(e.done), error_code{}, e.bytes().size());
      e.shared.reset();  // frees the frame or the copy now, not when the queue drains
      e.copy = std::string();
      ++head;
    }
  }

  // Handlers run on the connection's strand, where their operations started. (Wrapped in a
  // lambda: Asio's post() reads a type-erased handler's allocator after moving it.)
  void post(write_handler h, error_code ec, std::size_t n) {
    asio::post(socket.get_executor(), [h = std::move(h), ec, n]() mutable { std::move(h)(ec, n); });
  }

  void complete_drained() {
    if (!drained) return;
    drained_handler h(std::move(*drained));
    drained.reset();
    asio::post(socket.get_executor(), [h = std::move(h)]() mutable { std::move(h)(); });
  }
};

send_queue_stream::send_queue_stream(socket_type socket)
    : send_queue_stream(std::move(socket), nullptr) {}

send_queue_stream::send_queue_stream(socket_type socket, send_batch* batch)
    : state_(std::make_shared<state>(std::move(socket), batch)) {
  // Writes are made directly and must never block the io thread.
  state_->socket.non_blocking(true, state_->error);
}

void send_queue_stream::unread(std::string bytes) {
  if (bytes.empty()) return;
  if (unread_) {
    unread_->append(bytes);
  } else {
    unread_ = std::make_unique<std::string>(std::move(bytes));
  }
}

send_queue_stream::executor_type send_queue_stream::get_executor() noexcept {
  return state_->socket.get_executor();
}

send_queue_stream::socket_type& send_queue_stream::next_layer() noexcept {
  return state_->socket;
}

void send_queue_stream::queue(frame f) {
  if (state_->error) return;
  state_->queue.push_back(state::entry{std::move(f), {}, {}, 0});
}

void send_queue_stream::send() {
  state::flush(state_);
}

bool send_queue_stream::sending() const noexcept {
  return !state_->empty();
}

bool send_queue_stream::blocked() const noexcept {
  return state_->waiting;
}

bool send_queue_stream::failed() const noexcept {
  return static_cast<bool>(state_->error);
}

void send_queue_stream::write_copy(std::string bytes, write_handler done) {
  if (state_->error) {
    state_->post(std::move(done), state_->error, 0);
    return;
  }
  state_->queue.push_back(state::entry{nullptr, std::move(bytes), std::move(done), 0});
  state::flush(state_);
}

void send_queue_stream::wait_drained(drained_handler done) {
  state_->drained.emplace(std::move(done));
  if (state_->empty() || state_->error) state_->complete_drained();
}

void teardown(boost::beast::role_type role, send_queue_stream& stream, error_code& ec) {
  boost::beast::websocket::teardown(role, stream.next_layer(), ec);
}

void async_teardown_bounded(boost::beast::role_type role, send_queue_stream& stream,
                            asio::any_completion_handler<void(error_code)> handler) {
  // Closing the socket at the deadline ends Beast's wait for the peer's FIN with an error.
  auto deadline = std::make_shared<asio::steady_timer>(stream.get_executor(), teardown_limit);
  deadline->async_wait([deadline, s = stream.state_](error_code ec) {
    if (ec) return;  // the teardown ended first
    error_code ignored;
    s->socket.close(ignored);
  });
  // Completes on the socket's executor: the connection's one thread, where Beast's handler runs.
  boost::beast::websocket::async_teardown(
      role, stream.next_layer(), [deadline, h = std::move(handler)](error_code ec) mutable {
        deadline->cancel();
        std::move(h)(ec);
      });
}

}  // namespace troupe
