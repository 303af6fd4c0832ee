/* SPDX-License-Identifier: MIT */
/*
 * The user/kernel interface of the guest kernel: system call numbers, error
 * numbers, signal numbers and the signal information a handler receives.
 * Included by kernel code and by the user-mode test programs.
 *
 * Calling convention (x86-64): rax = number, rdi/rsi/rdx = arguments,
 * result in rax; negative results are -errno. Every other register is
 * preserved (on the `syscall` instruction path rcx and r11 are clobbered,
 * as the instruction requires). A RISC-V port would use a7 = number,
 * a0-a2 = arguments, result in a0, as Linux does.
 */
#ifndef GUEST_UAPI_H
#define GUEST_UAPI_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif

#define SYS_WRITE 0     /* (const char *buf, size_t len) -> len */
#define SYS_GETPID 1    /* () -> pid */
#define SYS_YIELD 2     /* () -> 0 */
#define SYS_EXIT 3      /* (int status), does not return */
#define SYS_SIGACTION 4 /* (handler or 0) -> previous handler */
#define SYS_SIGRETURN 5 /* () from a signal handler's return trampoline */
#define NR_SYSCALLS 6

#define EFAULT 14
#define EINVAL 22
#define ENOSYS 38

#define SIGILL 4
#define SIGTRAP 5
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGSEGV 11

/* A task killed by signal s exits with status 128 + s (shell convention). */
#define TASK_KILLED_STATUS(sig) (128 + (sig))

#ifndef __ASSEMBLY__
/* Second argument of a signal handler:
 *   void handler(int signo, struct user_siginfo *info, struct user_regs *regs)
 * regs (architecture-defined) holds the interrupted context; the handler
 * may change it (e.g. move the instruction pointer past the fault) and it
 * is restored by SYS_SIGRETURN. */
struct user_siginfo {
	uint64_t signo;
	uint64_t vector;     /* architecture's exception number */
	uint64_t error_code; /* as pushed by the CPU, 0 if none */
	uint64_t addr;       /* faulting address for page faults, else 0 */
	uint64_t pc;         /* instruction pointer saved by the exception */
};
#endif

#endif /* GUEST_UAPI_H */
