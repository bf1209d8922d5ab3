// uring, the io_uring of raw system calls under the batched sends: it knows which operations the
// kernel has, and every entry submitted comes back once, with its user_data, also when more are
// submitted than the ring holds at once (in several submissions). A submission the kernel refuses
// is taken back whole: none of it is sent later.
#include "server/uring.hpp"
#include "tests/unit/server/refuse_io_uring_enter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace troupe {
namespace {

std::unique_ptr<uring> make_ring(unsigned entries, std::string& why_not) {
  try {
    return std::make_unique<uring>(entries);
  } catch (const std::system_error& e) {
    why_not = e.what();
    return nullptr;
  }
}

TEST(uring_test, knows_which_operations_the_kernel_has) {
  std::string why_not;
  const auto ring = make_ring(8, why_not);
  if (!ring) GTEST_SKIP() << "io_uring is not available here: " << why_not;
  EXPECT_TRUE(ring->supports(IORING_OP_NOP));
  EXPECT_TRUE(ring->supports(IORING_OP_SEND)) << "this kernel (6.x) has had SEND since 5.6";
  EXPECT_FALSE(ring->supports(255)) << "no kernel has 255 operations";
}

TEST(uring_test, every_entry_completes_once_with_its_user_data) {
  std::string why_not;
  const auto ring = make_ring(8, why_not);
  if (!ring) GTEST_SKIP() << "io_uring is not available here: " << why_not;
  ASSERT_EQ(ring->capacity(), 8u);
  std::vector<int> seen(20, 0);
  for (unsigned first = 0; first < seen.size(); first += ring->capacity()) {
    const unsigned count = std::min<unsigned>(ring->capacity(), seen.size() - first);
    for (unsigned i = 0; i < count; ++i) {
      io_uring_sqe& e = ring->next_sqe();
      e.opcode = IORING_OP_NOP;
      e.user_data = first + i;
    }
    ASSERT_EQ(ring->submit_and_wait(count), 0);
    ring->reap([&](const io_uring_cqe& c) {
      ASSERT_LT(c.user_data, seen.size());
      EXPECT_EQ(c.res, 0);
      ++seen[c.user_data];
    });
  }
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], 1) << "entry " << i;
}

TEST(uring_test, a_submission_of_nothing_returns_at_once) {
  std::string why_not;
  const auto ring = make_ring(8, why_not);
  if (!ring) GTEST_SKIP() << "io_uring is not available here: " << why_not;
  EXPECT_EQ(ring->submit_and_wait(0), 0);
  int completions = 0;
  ring->reap([&](const io_uring_cqe&) { ++completions; });
  EXPECT_EQ(completions, 0);
}

// The kernel reads entries only inside io_uring_enter, so the ones it refused must not stay in the
// ring: the next call would hand them over, pointing at buffers long gone. Run in a child process,
// which alone may have io_uring_enter refused; returns its exit status.
int refused_submission_child() {
  const auto fail = [](const char* what) {
    std::fprintf(stderr, "%s\n", what);
    return 1;
  };
  std::string why_not;
  const auto ring = make_ring(8, why_not);
  if (!ring) return fail("no ring in the child");
  if (!test::refuse_io_uring_enter(ENOMEM, 3)) return fail("the seccomp filter was refused");
  for (unsigned i = 0; i < 3; ++i) ring->next_sqe().user_data = 100 + i;  // NOPs
  if (ring->submit_and_wait(3) != -ENOMEM) return fail("the refusal was not reported");
  ring->next_sqe().user_data = 7;
  if (ring->submit_and_wait(1) != 0) return fail("the next submission failed too");
  std::vector<std::uint64_t> completed;
  ring->reap([&](const io_uring_cqe& c) { completed.push_back(c.user_data); });
  if (completed != std::vector<std::uint64_t>{7}) return fail("refused entries went in later");
  return 0;
}

TEST(uring_death_test, a_refused_submission_is_taken_back_whole) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // a sanitizer may run a thread of its own
  std::string why_not;
  if (!make_ring(8, why_not)) GTEST_SKIP() << "io_uring is not available here: " << why_not;
  EXPECT_EXIT(std::_Exit(refused_submission_child()), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace troupe
