#pragma once
// refuse_syscalls: makes the kernel fail some system calls of this process from here on, through
// a seccomp filter, as it does when it is short of memory or a security module says no. A filter
// cannot be taken back, so only a child process may install one: a death test's, or a server's
// between fork and exec (it stays through exec). Async-signal-safe.
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>

#include <cstddef>

namespace troupe::test {

#if defined(__x86_64__)
inline constexpr unsigned this_audit_arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
inline constexpr unsigned this_audit_arch = AUDIT_ARCH_AARCH64;
#else
inline constexpr unsigned this_audit_arch = 0;  // unknown here: no filter is installed
#endif

// Installs `filter`, whose first statements must check the architecture (see below).
inline bool install_seccomp_filter(sock_filter* filter, std::size_t statements) {
  if (this_audit_arch == 0) return false;
  sock_fprog program{static_cast<unsigned short>(statements), filter};
  return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
}

// The filter's return value that fails a call with `error`.
constexpr unsigned fail_with(int error) {
  return SECCOMP_RET_ERRNO | (static_cast<unsigned>(error) & SECCOMP_RET_DATA);
}

// Every later call of `first` or `second` (system call numbers, __NR_...) fails with `error`.
// False when the filter could not be installed.
inline bool refuse_syscalls(int first, int second, int error) {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, this_audit_arch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(first), 1, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(second), 0, 1),
      BPF_STMT(BPF_RET | BPF_K, fail_with(error)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  return install_seccomp_filter(filter, sizeof filter / sizeof filter[0]);
}

}  // namespace troupe::test
