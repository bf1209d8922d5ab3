#include "server/send_batch.hpp"

#include "server/server_metrics.hpp"
#include "server/uring.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <span>
#include <system_error>

namespace troupe {
namespace {

constexpr unsigned ring_entries = 1024;

const void* context_of(const boost::asio::any_io_executor& executor) noexcept {
  return &boost::asio::query(executor, boost::asio::execution::context);
}

}  // namespace

std::unique_ptr<send_batch> send_batch::create(boost::asio::any_io_executor executor,
                                               send_batch_counts& counts, std::string& why_not) {
  std::unique_ptr<uring> ring;
  try {
    ring = std::make_unique<uring>(ring_entries);
  } catch (const std::system_error& e) {
    why_not = e.what();
    return nullptr;
  }
  if (!ring->supports(IORING_OP_SEND) || !ring->supports(IORING_OP_SENDMSG)) {
    why_not = "this kernel's io_uring has no IORING_OP_SEND or IORING_OP_SENDMSG (Linux < 5.6)";
    return nullptr;
  }
  return std::make_unique<send_batch>(std::move(executor), counts, std::move(ring));
}

send_batch::send_batch(boost::asio::any_io_executor executor, send_batch_counts& counts,
                       std::unique_ptr<uring> ring)
    : executor_(std::move(executor)), counts_(counts), ring_(std::move(ring)) {
  counts_.active.store(true, std::memory_order_relaxed);
}

send_batch::~send_batch() {
  counts_.active.store(false, std::memory_order_relaxed);
}

void send_batch::add(std::shared_ptr<sender> s) {
  waiting_.push_back(std::move(s));
  if (waiting_.size() == 1) boost::asio::post(executor_, [this] { submit(); });
}

void send_batch::submit() {
  // Taken out whole: a writer that throws leaves none behind, and the writers that join while
  // results are handed out wait for the next submission.
  std::vector<std::shared_ptr<sender>> batch;
  batch.swap(waiting_);
  ++generation_;
  results_.assign(batch.size(), -ECANCELED);
  for (std::size_t first = 0; first < batch.size(); first += ring_->capacity())
    submit_part(std::span(batch).subspan(
                    first, std::min<std::size_t>(ring_->capacity(), batch.size() - first)),
                first);
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i]->sent(results_[i]);
  if (waiting_.empty()) {  // results never add writers: its storage serves the next pass
    batch.clear();
    waiting_.swap(batch);
  }
}

void send_batch::submit_part(std::span<const std::shared_ptr<sender>> part, std::size_t first) {
  // Gathered first, pointed to after: the buffers' vector may move while it grows.
  parts_.clear();
  buffers_.clear();
  for (const auto& s : part) {
    const auto before = buffers_.size();
    const int socket = s->gather(buffers_);
    parts_.push_back({socket, before, buffers_.size() - before});
  }
  // Message headers only for gather sends; reserved, so the ones made stay where they are.
  messages_.clear();
  messages_.reserve(part.size());
  unsigned entries = 0;
  for (std::size_t k = 0; k < part.size(); ++k) {
    const auto& p = parts_[k];
    const std::size_t i = first + k;
    if (p.socket < 0 || p.buffer_count == 0) continue;  // stays -ECANCELED
    io_uring_sqe& e = ring_->next_sqe();
    e.fd = p.socket;
    if (p.buffer_count == 1) {  // a plain send needs no message header to be copied in
      e.opcode = IORING_OP_SEND;
      e.addr = reinterpret_cast<std::uintptr_t>(buffers_[p.first_buffer].iov_base);
      e.len = static_cast<__u32>(buffers_[p.first_buffer].iov_len);
    } else {
      msghdr& m = messages_.emplace_back();
      m.msg_iov = &buffers_[p.first_buffer];
      m.msg_iovlen = p.buffer_count;
      e.opcode = IORING_OP_SENDMSG;
      e.addr = reinterpret_cast<std::uintptr_t>(&m);
      e.len = 1;
    }
    // A full socket answers EAGAIN instead of waiting in the ring: the writer then waits for it
    // through Asio, as it does without the batch.
    e.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL;
    e.user_data = (std::uint64_t{generation_} << 32) | i;
    ++entries;
  }
  if (entries == 0) return;
  counts_.submissions.fetch_add(1, std::memory_order_relaxed);
  counts_.sends.fetch_add(entries, std::memory_order_relaxed);
  const int r = ring_->submit_and_wait(entries);
  ring_->reap([this](const io_uring_cqe& c) {
    if ((c.user_data >> 32) != generation_) return;
    const auto i = static_cast<std::size_t>(c.user_data & 0xffffffffu);
    if (i < results_.size()) results_[i] = c.res;
  });
  if (r < 0 && !warned_) {
    warned_ = true;  // each writer left out sends by itself: nothing is lost, once is enough
    spdlog::warn("batched send: io_uring_enter failed: {}; the writers sent by themselves",
                 std::strerror(-r));
  }
}

void send_batches::add(const boost::asio::any_io_executor& executor,
                       std::unique_ptr<send_batch> batch) {
  batches_.emplace_back(context_of(executor), std::move(batch));
}

send_batch* send_batches::find(const boost::asio::any_io_executor& executor) const noexcept {
  const auto* context = context_of(executor);
  for (const auto& [c, b] : batches_)
    if (c == context) return b.get();
  return nullptr;
}

}  // namespace troupe
