#include "bench/load/deliveries.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace troupe::load {
namespace asio = boost::asio;

void delivery_tracker::add_publisher(const asio::any_io_executor& ex, std::uint32_t room_size) {
  publisher p;
  p.room_size = room_size;
  p.counts = std::make_unique<std::atomic<std::uint32_t>[]>(window_);
  p.done = std::make_unique<channel>(ex, window_);
  publishers_.push_back(std::move(p));
}

void delivery_tracker::delivered(const stamp& s) noexcept {
  if (s.publisher >= publishers_.size()) return;
  publisher& p = publishers_[s.publisher];
  auto& count = p.counts[s.seq % window_];
  if (count.fetch_add(1, std::memory_order_acq_rel) + 1 == p.room_size) {
    // The publisher reuses this slot only after it has received this completion.
    count.store(0, std::memory_order_relaxed);
    (void)p.done->try_send(boost::system::error_code{}, s.seq);
  }
}

void delivery_tracker::close() noexcept {
  for (auto& p : publishers_) p.done->close();
}

asio::awaitable<void> read_deliveries(std::shared_ptr<connection> c, delivery_context& run,
                                      thread_stats& stats) {
  const std::string_view message_type = room_message_type(run.target);
  for (;;) {
    auto [ec, n] = co_await c->ws.async_read(c->buffer, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (!c->closing) stats.connection_failed("member connection dropped", ec);
      co_return;
    }
    const auto now = clock::now();
    const frame_fields f = scan_frame(c->frame());
    if (f.type == message_type) {
      if (const auto s = parse_stamp(f.text)) {
        stats.count_received();
        if (run.started.load(std::memory_order_acquire)) {
          const auto sent = from_ns(s->sent_ns);
          if (run.plan.measured(sent)) {
            stats.latency.record(now - sent);
            ++stats.completed;
          }
        }
        if (run.tracker) run.tracker->delivered(*s);
      } else {
        stats.protocol_error("room message without a load stamp", c->frame());
      }
    } else if (!f.valid || f.type == "error") {
      stats.protocol_error("unexpected frame at a member", c->frame());
    }
    c->consume();
  }
}

}  // namespace troupe::load
