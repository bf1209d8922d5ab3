#pragma once
// send_batch: the sends of one pass of an io thread, made with one system call. A connection's
// writer joins the batch instead of calling send(2) itself; a handler posted behind the pass's
// other handlers submits every writer's bytes as one io_uring_enter (up to 1024 sends per
// call) and hands each writer its result. On loopback a system call's entry and exit cost about
// as much as the send's own work, so a broadcast to a thousand members gains most
// (docs/benchmarks.md, "Batching the system calls").
//
// Threads: one batch per io thread, serving only the sockets of that thread's io_context (every
// io_context of the actor system is run by one thread). The batch reads a writer's queue and
// hands it the result outside the writer's handlers, which is safe only because no other thread
// can be running them.
#include <boost/asio/any_io_executor.hpp>

#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace troupe {

class uring;
struct send_batch_counts;

class send_batch {
 public:
  // A socket's writer waiting in the batch.
  class sender {
   public:
    virtual ~sender() = default;
    // At submission: appends what to send (at most max_buffers) and returns the socket, or -1
    // when there is nothing to send any more (the socket is closed).
    virtual int gather(std::vector<iovec>& buffers) = 0;
    // Once per add(): the bytes sent, or -errno (-EAGAIN: the socket is full); -ECANCELED when
    // the batch did not send it, and the writer should send by itself.
    virtual void sent(int result) = 0;
  };

  static constexpr std::size_t max_buffers = 64;  // per sender and submission

  // Null, with the reason in `why_not`, when io_uring is not available here. `counts` (which
  // must outlive the batch) is marked active and counts what the batch does.
  static std::unique_ptr<send_batch> create(boost::asio::any_io_executor executor,
                                            send_batch_counts& counts, std::string& why_not);
  send_batch(boost::asio::any_io_executor executor, send_batch_counts& counts,
             std::unique_ptr<uring> ring);
  ~send_batch();
  send_batch(const send_batch&) = delete;
  send_batch& operator=(const send_batch&) = delete;

  // Joins the next submission; `s` is kept until its result is handed over.
  void add(std::shared_ptr<sender> s);

 private:
  void submit();
  // Up to the ring's capacity of writers; `first` is the first one's index in the submission.
  void submit_part(std::span<const std::shared_ptr<sender>> part, std::size_t first);

  struct gathered {  // one sender's part of a submission
    int socket;
    std::size_t first_buffer;
    std::size_t buffer_count;
  };

  boost::asio::any_io_executor executor_;
  send_batch_counts& counts_;
  std::unique_ptr<uring> ring_;
  std::vector<std::shared_ptr<sender>> waiting_;  // joined since the submission was posted
  std::vector<int> results_;
  std::vector<gathered> parts_;
  std::vector<iovec> buffers_;
  std::vector<msghdr> messages_;
  std::uint32_t generation_ = 0;  // in each entry's user_data: a stray completion is ignored
  bool warned_ = false;
};

// The batches of every io thread, each found by the executor of the sockets it serves.
class send_batches {
 public:
  // The batch serving the sockets of `executor`'s io_context.
  void add(const boost::asio::any_io_executor& executor, std::unique_ptr<send_batch> batch);
  // Null when the executor's io_context has no batch (sends are not batched).
  send_batch* find(const boost::asio::any_io_executor& executor) const noexcept;
  void clear() noexcept { batches_.clear(); }

 private:
  std::vector<std::pair<const void*, std::unique_ptr<send_batch>>> batches_;  // by io_context
};

}  // namespace troupe
