#include "bench/load/deliveries.hpp"

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
  std::vector<std::uint64_t> next_seq(run.publishers, 0);  // per publisher: the least one expected
  auto on_message = [&](std::string_view m) {
    const frame_fields f = scan_frame(m);
    if (f.type == message_type) {
      const auto s = parse_stamp(f.text);
      if (s && (s->publisher >= next_seq.size() || s->seq < next_seq[s->publisher])) {
        stats.protocol_error("room message repeated, out of order or from no publisher", m);
      } else if (s) {
        next_seq[s->publisher] = s->seq + 1;
        const bool started = run.started.load(std::memory_order_acquire);
        const bool late = started && run.plan.late(c->received_at);  // counts as lost
        if (!late) stats.count_received();
        if (started && !late) {
          const auto sent = from_ns(s->sent_ns);
          if (run.plan.measured(sent)) {
            stats.latency.record(c->received_at - sent);
            ++stats.completed;
          }
          if (run.plan.in_window(c->received_at)) ++stats.in_window;
        }
        if (run.tracker) run.tracker->delivered(*s);
      } else {
        stats.protocol_error("room message without a load stamp", m);
      }
    } else if (!f.valid || f.type == "error") {
      stats.protocol_error("unexpected frame at a member", m);
    }
    return next_step::keep_reading;
  };
  for (;;) {
    if (const auto ec = co_await read_messages(*c, on_message)) {
      if (!c->closing) stats.connection_failed("member connection dropped", ec);
      co_return;
    }
  }
}

}  // namespace troupe::load
