#pragma once
// refuse_io_uring_enter: makes the kernel refuse io_uring_enter from here on, as it does when it is
// short of memory, through a seccomp filter. A filter cannot be taken back, so only a child
// process may install it: call it inside a death test (EXPECT_EXIT).
#include "tests/support/refuse_syscalls.hpp"

#include <sys/syscall.h>

namespace troupe::test {

// Every later io_uring_enter that submits at least `from_entries` entries fails with `error`;
// the others go through. False when the filter could not be installed.
inline bool refuse_io_uring_enter(int error, unsigned from_entries) {
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
      BPF_STMT(BPF_RET | BPF_K, fail_with(error)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  return install_seccomp_filter(filter, sizeof filter / sizeof filter[0]);
}

}  // namespace troupe::test
