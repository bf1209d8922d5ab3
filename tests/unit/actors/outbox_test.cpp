#include "actors/outbox.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace troupe {
namespace {

frame of_size(std::size_t payload) {
  return make_frame(std::string(payload, 'x'));
}

TEST(outbox, overflows_at_its_byte_bound_and_take_frees_the_bytes) {
  outbox out(100, 1000);
  EXPECT_TRUE(out.push(of_size(400)));
  EXPECT_TRUE(out.push(of_size(400)));  // 804 bytes with the headers
  std::vector<frame> batch;
  ASSERT_TRUE(out.take(batch));
  EXPECT_EQ(batch.size(), 2u);
  EXPECT_TRUE(out.push(of_size(400))) << "taking freed the bytes";
  EXPECT_TRUE(out.push(of_size(400)));
  EXPECT_FALSE(out.overflowed());
  EXPECT_FALSE(out.push(of_size(400))) << "1206 bytes would be over 1000";
  EXPECT_TRUE(out.overflowed());
  EXPECT_TRUE(out.queue().closed());
}

TEST(outbox, a_frame_larger_than_the_bound_fits_an_empty_outbox_alone) {
  outbox out(100, 1000);
  EXPECT_TRUE(out.push(of_size(5000)));
  EXPECT_FALSE(out.push(of_size(1)));
  EXPECT_TRUE(out.overflowed());
}

TEST(outbox, overflows_at_its_frame_bound) {
  outbox out(2, 1 << 20);
  EXPECT_TRUE(out.push(of_size(1)));
  EXPECT_TRUE(out.push(of_size(1)));
  EXPECT_FALSE(out.push(of_size(1)));
  EXPECT_TRUE(out.overflowed());
}

TEST(outbox, tells_once_that_it_closed_whether_by_overflow_or_close) {
  outbox out(1);
  int told = 0;
  out.on_close([&told] { ++told; });
  EXPECT_TRUE(out.push(of_size(1)));
  EXPECT_EQ(told, 0);
  EXPECT_FALSE(out.push(of_size(1)));
  EXPECT_EQ(told, 1) << "the overflow closed it";
  out.close();
  EXPECT_FALSE(out.push(of_size(1)));
  EXPECT_EQ(told, 1);
}

// A push racing the writer's take counts only the frames still queued: a connection whose writer
// keeps up never overflows, however tight its byte bound. (Each frame is pushed the moment the
// writer has taken the one before, when a take that counted its bytes off later would be caught
// in the act.)
TEST(outbox, a_push_racing_the_writers_take_counts_only_what_is_still_queued) {
  const frame f = of_size(100);
  outbox out(1000, f->wire().size() * 3 / 2);  // room for one frame at a time
  std::atomic<bool> done{false};
  std::thread writer([&] {
    std::vector<frame> batch;
    while (!done.load(std::memory_order_relaxed)) {
      if (!out.take(batch)) std::this_thread::yield();  // both threads may share a core
      batch.clear();
    }
  });
  int pushed = 0;
  for (; pushed < 200000 && !out.overflowed(); ++pushed) {
    while (out.queue().depth() != 0) std::this_thread::yield();
    out.push(f);
  }
  done = true;
  writer.join();
  EXPECT_FALSE(out.overflowed()) << "overflowed at push " << pushed;
}

}  // namespace
}  // namespace troupe
