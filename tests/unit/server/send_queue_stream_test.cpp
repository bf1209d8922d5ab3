// send_queue_stream over a real loopback TCP connection: frames leave in order and at once while
// the socket takes them; when the peer stops reading the rest waits for the socket, and Beast's
// own writes queue behind the frames and complete only once sent; a dead peer fails what waits.
// Each case runs with sends made directly and with sends batched through io_uring
// (send_batch), where "at once" means in the io thread's next pass.
#include "server/send_queue_stream.hpp"
#include "server/server_metrics.hpp"
#include "tests/unit/server/refuse_io_uring_enter.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace troupe {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

enum class send_mode { direct, batched };

// A connected pair of loopback sockets: (the server's side, the peer).
std::pair<tcp::socket, tcp::socket> connected_pair(asio::io_context& io) {
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  tcp::socket peer(io);
  peer.connect(acceptor.local_endpoint());
  tcp::socket server(io);
  acceptor.accept(server);
  return {std::move(server), std::move(peer)};
}

// An io_context run by the test's thread (so a batch may serve it) and, once started, its batch.
class with_io : public ::testing::Test {
 protected:
  // False, with the reason, where the kernel or a seccomp profile refuses io_uring.
  bool start_batch(std::string& why_not) {
    batch_ = send_batch::create(io_.get_executor(), counts_, why_not);
    return batch_ != nullptr;
  }

  asio::io_context io_;
  send_batch_counts counts_;
  std::unique_ptr<send_batch> batch_;  // outlives the streams, as the server's does
};

class send_queue_stream_test : public with_io, public ::testing::WithParamInterface<send_mode> {
 protected:
  void SetUp() override {
    std::string why_not;
    if (GetParam() == send_mode::batched && !start_batch(why_not))
      GTEST_SKIP() << "io_uring is not available here: " << why_not;
    auto [server, peer] = connected_pair(io_);
    peer_ = std::move(peer);
    // A small send buffer, so a few MB fill the connection while the peer does not read. (Not
    // a small receive buffer: below loopback's 64 KiB segment size, TCP would stall on it.)
    server.set_option(asio::socket_base::send_buffer_size(4096));
    stream_.emplace(std::move(server), batch_.get());
  }

  bool batched() const { return batch_ != nullptr; }

  // Reads exactly n bytes on the peer side (blocking; the stream's io_context is not needed).
  std::string peer_read(std::size_t n) {
    std::string bytes(n, '\0');
    asio::read(peer_, asio::buffer(bytes));
    return bytes;
  }

  // Runs the stream's handlers until `done()` or 10 s pass.
  template <class Done>
  bool run_until(Done done) {
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < limit) {
      io_.restart();
      io_.run_for(std::chrono::milliseconds(10));
    }
    return done();
  }

  tcp::socket peer_{io_};
  std::optional<send_queue_stream> stream_;
};

std::string wire_of(const std::vector<frame>& frames) {
  std::string all;
  for (const auto& f : frames) all += f->wire();
  return all;
}

std::string numbered_text(int i) {
  std::string text = "frame ";
  text += std::to_string(i);
  return text;
}

// Frames big enough, and enough of them, to fill both sockets' buffers many times over.
std::vector<frame> burst(int count, std::size_t size) {
  std::vector<frame> frames;
  for (int i = 0; i < count; ++i)
    frames.push_back(make_frame(std::string(size, static_cast<char>('a' + i % 26))));
  return frames;
}

TEST_P(send_queue_stream_test, frames_the_socket_can_take_leave_at_once_in_order) {
  const std::vector<frame> frames{make_frame(R"({"n":1})"), make_frame(std::string(300, 'x')),
                                  make_frame("")};
  for (const auto& f : frames) stream_->queue(f);
  stream_->send();
  if (batched()) {
    EXPECT_TRUE(stream_->sending()) << "the frames wait for the pass's batch";
    EXPECT_FALSE(stream_->blocked()) << "but not for the socket";
    io_.poll();  // the pass ends: the batch is submitted
  }
  EXPECT_FALSE(stream_->sending()) << "a few small frames fit the socket: nothing waits";
  EXPECT_FALSE(stream_->failed());
  const auto expected = wire_of(frames);
  EXPECT_EQ(peer_read(expected.size()), expected);
}

// More frames than one gather write takes (64): a pass still ends with all of them sent (or the
// socket full), so the writer never takes more from its outbox while bytes wait here.
TEST_P(send_queue_stream_test, more_than_one_gather_write_still_leaves_in_one_pass) {
  std::vector<frame> frames;
  for (int i = 0; i < 200; ++i) frames.push_back(make_frame(numbered_text(i)));
  for (const auto& f : frames) stream_->queue(f);
  stream_->send();
  if (batched()) io_.poll_one();  // the batch's submission, and nothing after it
  EXPECT_FALSE(stream_->sending());
  ASSERT_TRUE(run_until([&] { return !stream_->sending(); }));  // else the read below would hang
  const auto expected = wire_of(frames);
  EXPECT_EQ(peer_read(expected.size()), expected);
}

// Bytes read before the stream existed (behind an upgrade request) come first, a part at a time
// if the reader's buffer is smaller, never inline; then the socket's.
TEST_P(send_queue_stream_test, unread_bytes_are_read_before_the_sockets) {
  stream_->unread("abcdef");
  asio::write(peer_, asio::buffer(std::string("xyz")));
  std::string got;
  for (int i = 0; i < 3; ++i) {
    std::array<char, 4> part{};
    std::optional<std::pair<error_code, std::size_t>> read;
    stream_->async_read_some(asio::buffer(part),
                             [&](error_code ec, std::size_t n) { read.emplace(ec, n); });
    EXPECT_FALSE(read.has_value()) << "completed inline";
    ASSERT_TRUE(run_until([&] { return read.has_value(); }));
    ASSERT_FALSE(read->first) << read->first.message();
    got.append(part.data(), read->second);
  }
  EXPECT_EQ(got, "abcdefxyz");
}

TEST_P(send_queue_stream_test, an_empty_write_completes_without_waiting_for_anything) {
  std::optional<std::pair<error_code, std::size_t>> written;
  stream_->async_write_some(asio::const_buffer(),
                            [&](error_code ec, std::size_t n) { written.emplace(ec, n); });
  ASSERT_TRUE(run_until([&] { return written.has_value(); }));
  EXPECT_FALSE(written->first);
  EXPECT_EQ(written->second, 0u);
  EXPECT_FALSE(stream_->sending());
}

TEST_P(send_queue_stream_test, what_the_socket_cannot_take_waits_until_the_peer_reads) {
  const auto frames = burst(200, 20000);
  for (const auto& f : frames) stream_->queue(f);
  stream_->send();
  ASSERT_TRUE(stream_->sending()) << "4 MB cannot fit the socket buffers";

  bool drained = false;
  stream_->async_wait_drained([&] { drained = true; });
  io_.run_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(drained) << "the peer reads nothing yet";
  EXPECT_TRUE(stream_->blocked()) << "the socket is full";

  const auto expected = wire_of(frames);
  std::string received;
  std::thread reader([&] { received = peer_read(expected.size()); });
  EXPECT_TRUE(run_until([&] { return drained; }));
  reader.join();
  EXPECT_FALSE(stream_->sending());
  EXPECT_FALSE(stream_->blocked());
  EXPECT_TRUE(received == expected)
      << "every byte, in order (" << received.size() << " of " << expected.size() << ")";
}

TEST_P(send_queue_stream_test, beast_writes_go_after_queued_frames_and_complete_once_sent) {
  const auto frames = burst(100, 20000);
  for (const auto& f : frames) stream_->queue(f);
  stream_->send();
  ASSERT_TRUE(stream_->sending());

  const std::string control = "\x8a\x02ok";  // a pong, as Beast would write it
  std::optional<std::pair<error_code, std::size_t>> written;
  stream_->async_write_some(asio::buffer(control),
                            [&](error_code ec, std::size_t n) { written.emplace(ec, n); });
  io_.run_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(written) << "its bytes are behind frames the socket has not taken";

  const auto expected = wire_of(frames) + control;
  std::string received;
  std::thread reader([&] { received = peer_read(expected.size()); });
  const bool done = run_until([&] { return written.has_value(); });
  reader.join();
  ASSERT_TRUE(done);
  EXPECT_FALSE(written->first);
  EXPECT_EQ(written->second, control.size());
  EXPECT_TRUE(received == expected) << "the control frame comes after every frame queued before it";
}

TEST_P(send_queue_stream_test, a_peer_that_is_gone_fails_what_waits_and_what_comes_later) {
  const auto frames = burst(100, 20000);
  for (const auto& f : frames) stream_->queue(f);
  stream_->send();
  ASSERT_TRUE(stream_->sending());
  bool drained = false;
  stream_->async_wait_drained([&] { drained = true; });
  std::optional<error_code> pending;
  stream_->async_write_some(asio::buffer("\x88\x00", 2),
                            [&](error_code ec, std::size_t) { pending = ec; });

  peer_.set_option(asio::socket_base::linger(true, 0));
  peer_.close();  // a reset: the unread bytes are thrown away

  EXPECT_TRUE(run_until([&] { return drained; }))
      << "the wait for the socket ends with the failure";
  EXPECT_TRUE(stream_->failed());
  EXPECT_FALSE(stream_->sending());
  ASSERT_TRUE(run_until([&] { return pending.has_value(); }));
  EXPECT_TRUE(*pending) << "Beast's write waiting in the queue fails";

  std::optional<error_code> later;
  stream_->async_write_some(asio::buffer("\x8a\x00", 2),
                            [&](error_code ec, std::size_t) { later = ec; });
  ASSERT_TRUE(run_until([&] { return later.has_value(); }));
  EXPECT_TRUE(*later) << "nothing is written after a failure";
}

INSTANTIATE_TEST_SUITE_P(modes, send_queue_stream_test,
                         ::testing::Values(send_mode::direct, send_mode::batched),
                         [](const auto& info) {
                           return info.param == send_mode::direct ? "direct" : "batched";
                         });

// More writers than one io_uring submission holds (1024): every one gets its own bytes.
class send_batch_test : public with_io {
 protected:
  void SetUp() override {
    std::string why_not;
    if (!start_batch(why_not)) GTEST_SKIP() << "io_uring is not available here: " << why_not;
  }
};

TEST_F(send_batch_test, a_batch_larger_than_the_ring_reaches_every_socket) {
  constexpr int count = 1100;
  // Two descriptors per connection: more than a default soft limit of 1024.
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  if (files.rlim_cur < 2 * count + 100) {
    files.rlim_cur = std::min<rlim_t>(files.rlim_max, 2 * count + 100);
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  if (files.rlim_cur < 2 * count + 100) GTEST_SKIP() << "too few descriptors allowed";
  std::vector<tcp::socket> peers;
  std::vector<send_queue_stream> streams;
  peers.reserve(count);
  streams.reserve(count);
  for (int i = 0; i < count; ++i) {
    auto [server, peer] = connected_pair(io_);
    streams.emplace_back(std::move(server), batch_.get());
    peers.push_back(std::move(peer));
  }
  const frame second = make_frame("and a second one: a gather write");
  std::vector<frame> frames;
  for (int i = 0; i < count; ++i) {
    frames.push_back(make_frame(numbered_text(i)));
    streams[i].queue(frames[i]);
    streams[i].queue(second);
    streams[i].send();
  }
  io_.poll();
  for (int i = 0; i < count; ++i) {
    ASSERT_FALSE(streams[i].sending()) << "stream " << i;
    ASSERT_FALSE(streams[i].failed()) << "stream " << i;
    const std::string expected = std::string(frames[i]->wire()) + std::string(second->wire());
    std::string received(expected.size(), '\0');
    asio::read(peers[i], asio::buffer(received));
    ASSERT_EQ(received, expected) << "stream " << i;
  }
}

// A socket closed while its writer waits in the batch is not written to, though its descriptor
// number already names another connection: the writer fails, and so does Beast's write behind it.
TEST_F(send_batch_test, a_socket_closed_before_the_submission_is_not_written_to) {
  tcp::acceptor acceptor(io_, {asio::ip::make_address("127.0.0.1"), 0});
  auto [server, peer] = connected_pair(io_);
  const int number = server.native_handle();
  send_queue_stream stream(std::move(server), batch_.get());
  stream.queue(make_frame("never sent"));
  stream.send();
  std::optional<error_code> beast_write;
  stream.async_write_some(asio::buffer("\x88\x00", 2),
                          [&](error_code ec, std::size_t) { beast_write = ec; });
  error_code ignored;
  stream.next_layer().close(ignored);
  // Another connection gets the closed one's number (the lowest free descriptors go first).
  tcp::socket other(io_);
  std::vector<tcp::socket> lower;
  for (int tries = 0; tries < 64 && !other.is_open(); ++tries) {
    tcp::socket s(io_);
    s.open(tcp::v4());
    if (s.native_handle() == number) {
      other = std::move(s);
    } else {
      lower.push_back(std::move(s));
    }
  }
  ASSERT_TRUE(other.is_open()) << "the number was not reused: nothing to show";
  other.connect(acceptor.local_endpoint());
  tcp::socket other_end = acceptor.accept();

  io_.poll();
  EXPECT_TRUE(stream.failed());
  EXPECT_FALSE(stream.sending());
  ASSERT_TRUE(beast_write.has_value());
  EXPECT_TRUE(*beast_write);
  char byte;
  other_end.non_blocking(true);
  other_end.read_some(asio::buffer(&byte, 1), ignored);
  EXPECT_EQ(ignored, asio::error::would_block) << "the other connection got bytes";
  peer.non_blocking(true);
  peer.read_some(asio::buffer(&byte, 1), ignored);
  EXPECT_TRUE(ignored == asio::error::eof || ignored == asio::error::connection_reset)
      << "nothing arrived before the close: " << ignored.message();
}

// When the kernel refuses a submission (short of memory, say), the writers in it send by
// themselves: every frame still arrives, in order, and the connection carries on. Run in a child
// process, which alone may have io_uring_enter refused; returns its exit status.
int refused_submission_child() {
  const auto fail = [](const std::string& what) {
    std::fprintf(stderr, "%s\n", what.c_str());
    return 1;
  };
  asio::io_context io;
  send_batch_counts counts;
  std::string why_not;
  auto batch = send_batch::create(io.get_executor(), counts, why_not);
  if (!batch) return fail("no io_uring in the child: " + why_not);
  if (!test::refuse_io_uring_enter(ENOMEM, 1)) return fail("the seccomp filter was refused");
  auto [server, peer] = connected_pair(io);
  peer.non_blocking(true);
  send_queue_stream stream(std::move(server), batch.get());
  const std::vector<frame> frames{make_frame("first"), make_frame("second")};
  const std::string expected = wire_of(frames);
  for (int round = 0; round < 2; ++round) {  // the second time after a refusal
    for (const auto& f : frames) stream.queue(f);
    stream.send();
    io.restart();
    // Bounded: a writer that keeps retrying the refused batch must fail the test, not hang it.
    for (int handlers = 0; handlers < 100 && io.poll_one() != 0;) ++handlers;
    if (stream.failed() || stream.sending()) return fail("the writer did not send the frames");
    std::string received(expected.size(), '\0');
    error_code ec;
    const auto got = peer.read_some(asio::buffer(received), ec);
    if (ec || received.substr(0, got) != expected)
      return fail("the peer got other bytes: " + received.substr(0, got));
  }
  if (counts.submissions.load() != 2) return fail("the batch did not try both rounds");
  return 0;
}

TEST(send_batch_death_test, a_refused_submission_leaves_the_writers_to_send_by_themselves) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // a sanitizer may run a thread of its own
  asio::io_context io;
  send_batch_counts counts;
  std::string why_not;
  if (!send_batch::create(io.get_executor(), counts, why_not))
    GTEST_SKIP() << "io_uring is not available here: " << why_not;
  EXPECT_EXIT(std::_Exit(refused_submission_child()), ::testing::ExitedWithCode(0), "");
}

// Each io thread has its own batch, found by the executor of the sockets it serves; a socket
// of an io_context without one is not batched.
TEST(send_batches, find_the_batch_of_the_executors_io_context) {
  asio::io_context first, second, third;
  send_batch_counts counts;
  std::string why_not;
  auto a = send_batch::create(first.get_executor(), counts, why_not);
  auto b = send_batch::create(second.get_executor(), counts, why_not);
  if (!a || !b) GTEST_SKIP() << "io_uring is not available here: " << why_not;
  const auto* a_raw = a.get();
  const auto* b_raw = b.get();
  send_batches batches;
  batches.add(first.get_executor(), std::move(a));
  batches.add(second.get_executor(), std::move(b));
  tcp::socket on_second(second);  // found through an any_io_executor, as the server does
  EXPECT_EQ(batches.find(on_second.get_executor()), b_raw);
  EXPECT_EQ(batches.find(first.get_executor()), a_raw);
  EXPECT_EQ(batches.find(third.get_executor()), nullptr);
}

}  // namespace
}  // namespace troupe
