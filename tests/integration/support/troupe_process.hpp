#pragma once
// troupe_process: the real troupe binary, started for one test on 127.0.0.1 with a free port,
// its stdout and stderr captured in temporary files.
//
// The child gets PR_SET_PDEATHSIG(SIGKILL), so a server never outlives a crashed or killed test
// binary; create troupe_process objects on the test's main thread (the signal follows the
// thread that forked). The destructor SIGKILLs a server still running and removes the logs.
// Threads: not thread-safe; one owner.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace troupe::it {

// How a process ended.
struct exit_status {
  bool signalled = false;  // killed by signal `value`; otherwise exited with status `value`
  int value = 0;
  friend bool operator==(const exit_status&, const exit_status&) = default;
  friend std::ostream& operator<<(std::ostream& os, const exit_status& s) {
    return os << (s.signalled ? "signal " : "exit status ") << s.value;
  }
};
inline exit_status exited(int code) {
  return {false, code};
}

struct troupe_options {
  // Flags after the harness's own (--host, --port, --web-root, --log-level); a repeated flag's
  // last value wins, so these may override them.
  std::vector<std::string> args;
  // Extra environment; every TROUPE_* variable of the test's own environment is removed.
  std::vector<std::pair<std::string, std::string>> env;
  // Pass exactly `args` (no harness flags), e.g. to test invalid configurations.
  bool raw_args = false;
  // The server's descriptor limit (RLIMIT_NOFILE, soft and hard); 0 keeps the test's own.
  unsigned open_files = 0;
  // Non-zero: every accept(2) of the server fails with this errno (a seccomp filter installed
  // before exec), as when the kernel is short of memory; wait_ready then never succeeds.
  int refuse_accept = 0;
  // The server's stderr is a pipe nobody reads (a paused terminal): once it is full, writing to
  // it blocks. stderr_text() is then empty.
  bool stderr_unread = false;
  // The server's stderr is a pipe whose reader has gone (`troupe | head`): writing to it fails
  // with EPIPE, and raises SIGPIPE. stderr_text() is then empty.
  bool stderr_closed = false;
};

class troupe_process {
 public:
  // Starts the binary (TROUPE_TEST_SERVER_BINARY). Does not wait; see wait_ready.
  explicit troupe_process(troupe_options options = {});
  troupe_process(const troupe_process&) = delete;
  troupe_process& operator=(const troupe_process&) = delete;
  ~troupe_process();

  // Polls GET /healthz until it answers 200, the process exits or `limit` passes. A server
  // that lost its port to another process is restarted on a fresh one (twice at most).
  bool wait_ready(std::chrono::milliseconds limit = std::chrono::seconds(10));

  void send_signal(int sig) const;
  // SIGSTOP, returning once every thread of the server has stopped (false if that took over
  // `limit`); resume() sends SIGCONT.
  bool pause(std::chrono::milliseconds limit = std::chrono::seconds(5));
  void resume() const;
  // Waits for the exit; empty if still running after `limit`.
  std::optional<exit_status> wait_exit(std::chrono::milliseconds limit);
  // SIGTERM, then wait_exit(limit).
  std::optional<exit_status> terminate(std::chrono::milliseconds limit = std::chrono::seconds(10));
  bool running();

  std::uint16_t port() const noexcept { return port_; }
  pid_t pid() const noexcept { return pid_; }
  std::string stdout_text() const;
  std::string stderr_text() const;
  // With stderr_unread: how many bytes wait in the pipe (a pipe holds 64 KiB).
  std::size_t stderr_unread_bytes() const;
  // Whether `text` appears in the output within `limit` (lines reach it from the server's
  // logging thread, a moment after the event).
  bool output_shows(std::string_view text,
                    std::chrono::milliseconds limit = std::chrono::seconds(2)) const;
  // Both streams, labelled, for failure messages.
  std::string log() const;

 private:
  void spawn();
  bool poll_exit();  // true once reaped (status_ is set)

  troupe_options options_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::optional<exit_status> status_;
  std::string stdout_path_;
  std::string stderr_path_;
  int stderr_pipe_ = -1;  // the unread end, with stderr_unread
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
std::uint16_t free_port();

}  // namespace troupe::it
