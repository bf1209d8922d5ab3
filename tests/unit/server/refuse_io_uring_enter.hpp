#pragma once
// refuse_io_uring_enter: makes the kernel refuse io_uring_enter from here on, as it does when it is
// short of memory, through a seccomp filter. A filter cannot be taken back, so only a child
// process may install it: call it inside a death test (EXPECT_EXIT).
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <cstddef>

namespace troupe::test {

#if defined(__x86_64__)
inline constexpr unsigned this_audit_arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
inline constexpr unsigned this_audit_arch = AUDIT_ARCH_AARCH64;
#else
inline constexpr unsigned this_audit_arch = 0;  // unknown here: refuse_io_uring_enter fails
#endif

// Every later io_uring_enter that submits at least `from_entries` entries fails with `error`;
// the others go through. False when the filter could not be installed.
inline bool refuse_io_uring_enter(int error, unsigned from_entries) {
  if (this_audit_arch == 0) return false;
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, this_audit_arch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_enter, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      // to_submit is an unsigned int: the low half of the argument (both archs are little-endian).
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[1])),
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, from_entries, 0, 1),
      BPF_STMT(BPF_RET | BPF_K,
               SECCOMP_RET_ERRNO | (static_cast<unsigned>(error) & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
}

}  // namespace troupe::test
