#include "tests/integration/support/troupe_process.hpp"

#include "tests/integration/support/http_client.hpp"
#include "tests/support/refuse_syscalls.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace troupe::it {
namespace {

using namespace std::chrono_literals;

std::string make_temp_file(const char* what) {
  std::string path = std::string("/tmp/troupe-it-") + what + "-XXXXXX";
  int fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("mkostemp failed for " + path);
  ::close(fd);
  return path;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

exit_status decode_status(int raw) {
  if (WIFSIGNALED(raw)) return {true, WTERMSIG(raw)};
  return {false, WEXITSTATUS(raw)};
}

}  // namespace

std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

troupe_process::troupe_process(troupe_options options)
    : options_(std::move(options)),
      stdout_path_(make_temp_file("stdout")),
      stderr_path_(make_temp_file("stderr")) {
  spawn();
}

troupe_process::~troupe_process() {
  if (!poll_exit()) {
    send_signal(SIGKILL);
    int raw = 0;
    ::waitpid(pid_, &raw, 0);
  }
  ::unlink(stdout_path_.c_str());
  ::unlink(stderr_path_.c_str());
  if (stderr_pipe_ >= 0) ::close(stderr_pipe_);
}

void troupe_process::spawn() {
  port_ = free_port();
  std::vector<std::string> args{TROUPE_TEST_SERVER_BINARY};
  if (!options_.raw_args) {
    for (std::string a : {"--host", "127.0.0.1", "--web-root", TROUPE_TEST_WEB_ROOT, "--log-level",
                          "info", "--port"})
      args.push_back(std::move(a));
    args.push_back(std::to_string(port_));
  }
  args.insert(args.end(), options_.args.begin(), options_.args.end());

  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::string_view(*e).substr(0, 7) != "TROUPE_") env.emplace_back(*e);
  for (const auto& [name, value] : options_.env) env.push_back(name + "=" + value);

  // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int out = ::open(stdout_path_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  int err = -1;
  if (options_.stderr_unread || options_.stderr_closed) {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0) throw std::runtime_error("cannot make a pipe");
    if (stderr_pipe_ >= 0) ::close(stderr_pipe_);
    stderr_pipe_ = -1;
    if (options_.stderr_closed) {
      ::close(ends[0]);
    } else {
      stderr_pipe_ = ends[0];
    }
    err = ends[1];
  } else {
    err = ::open(stderr_path_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  }
  if (out < 0 || err < 0) throw std::runtime_error("cannot open the server's log files");
  const pid_t parent = ::getpid();

  status_.reset();
  pid_ = ::fork();
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);  // the test died before prctl took effect
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    ::closefrom(3);  // no test sockets leak into the server
    if (options_.open_files != 0) {
      const rlimit lim{options_.open_files, options_.open_files};
      if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) ::_exit(125);
    }
    if (options_.refuse_accept != 0 &&
        !test::refuse_syscalls(__NR_accept, __NR_accept4, options_.refuse_accept))
      ::_exit(124);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out);
  ::close(err);
  if (pid_ < 0) throw std::runtime_error("fork failed");
}

bool troupe_process::poll_exit() {
  if (status_) return true;
  int raw = 0;
  if (::waitpid(pid_, &raw, WNOHANG) != pid_) return false;
  status_ = decode_status(raw);
  return true;
}

bool troupe_process::running() {
  return !poll_exit();
}

bool troupe_process::wait_ready(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int respawns = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (poll_exit()) {
      // Exit status 1 with "could not start": most likely the port was taken meanwhile.
      if (*status_ == exited(1) && respawns < 2 &&
          log().find("could not start") != std::string::npos) {
        ++respawns;
        spawn();
        continue;
      }
      return false;
    }
    auto r = http_call(port_, {boost::beast::http::verb::get, "/healthz", {}, false, {}}, 1s);
    if (r && r->status == 200) return true;
    std::this_thread::sleep_for(10ms);  // polling interval, bounded by the deadline
  }
  return false;
}

void troupe_process::send_signal(int sig) const {
  if (pid_ > 0 && !status_) ::kill(pid_, sig);
}

bool troupe_process::pause(std::chrono::milliseconds limit) {
  send_signal(SIGSTOP);
  // kill() returns before the threads stop; /proc shows each thread's state ('T' = stopped).
  const auto deadline = std::chrono::steady_clock::now() + limit;
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid_) + "/task";
  while (std::chrono::steady_clock::now() < deadline) {
    bool all_stopped = true;
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
      const auto stat = read_file((task.path() / "stat").string());
      const auto close_paren = stat.rfind(')');  // "pid (comm) S ..."
      if (close_paren == std::string::npos || close_paren + 2 >= stat.size() ||
          (stat[close_paren + 2] != 'T' && stat[close_paren + 2] != 't')) {
        all_stopped = false;
        break;
      }
    }
    if (!ec && all_stopped) return true;
    std::this_thread::sleep_for(1ms);
  }
  return false;
}

void troupe_process::resume() const {
  send_signal(SIGCONT);
}

std::optional<exit_status> troupe_process::wait_exit(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!poll_exit()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
  return status_;
}

std::optional<exit_status> troupe_process::terminate(std::chrono::milliseconds limit) {
  send_signal(SIGTERM);
  return wait_exit(limit);
}

std::string troupe_process::stdout_text() const {
  return read_file(stdout_path_);
}
std::string troupe_process::stderr_text() const {
  return read_file(stderr_path_);
}

bool troupe_process::output_shows(std::string_view text, std::chrono::milliseconds limit) const {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (log().find(text) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(20ms);
  }
}

std::size_t troupe_process::stderr_unread_bytes() const {
  int n = 0;
  if (stderr_pipe_ < 0 || ::ioctl(stderr_pipe_, FIONREAD, &n) != 0) return 0;
  return static_cast<std::size_t>(n);
}

std::string troupe_process::log() const {
  return "--- troupe stdout (port " + std::to_string(port_) + ") ---\n" + stdout_text() +
         "--- troupe stderr ---\n" + stderr_text() + "--- end of troupe output ---\n";
}

}  // namespace troupe::it
