/* SPDX-License-Identifier: MIT */
/*
 * User-mode test programs (user_progs.S, user_progs.c) and the data they
 * share with the kernel-side tests. These live in the .user_text and
 * .user_data sections, the only kernel-image pages mapped for ring 3, so
 * they must not call kernel functions or use kernel constants (string
 * literals live in .rodata, which is supervisor-only).
 *
 * "Fault programs" take the signal handler to register as their argument
 * (0 = none, so a fault kills them), load r12 with the address the trap
 * frame's RIP must show (the faulting instruction for faults, the next one
 * for traps), r13 with where a handler should resume, r14 with a canary,
 * and exit with 0 if the canary survived the round trip through the
 * signal frame, 1 otherwise.
 */
#ifndef X86_UPROG_H
#define X86_UPROG_H

#define U_CANARY 0x5eed0f0ca11ab1e5

#ifndef __ASSEMBLY__
#include <stdint.h>

#include "compiler.h"
#include "uapi.h"

#define __user_text __section(".user_text") __noinline __used
#define __user_data __section(".user_data")

/* The interrupted context given to a signal handler (third argument);
 * SYS_SIGRETURN restores it. */
struct user_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t rip, rflags, rsp;
};

enum { U_SYSCALL_INT80 = 0, U_SYSCALL_INSN = 1 };

extern uint64_t u_syscall_mode; /* U_SYSCALL_* */
extern uint64_t u_target;       /* address the read/jump programs use */
extern uint64_t u_spin_cycles;  /* TSC cycles u_prog_spin measured */
extern int64_t u_results[8];    /* u_prog_syscalls' return values */

void u_prog_exit(uint64_t status);
void u_prog_cpl(uint64_t unused);
void u_prog_spin(uint64_t iterations);
void u_prog_syscall_probe(uint64_t unused);
void u_prog_syscalls(uint64_t unused);
void u_prog_sigreturn(uint64_t unused);

void u_prog_ud2(uint64_t handler);
void u_prog_div0(uint64_t handler);
void u_prog_int3(uint64_t handler);
void u_prog_read(uint64_t handler);
void u_prog_jump(uint64_t handler);
void u_prog_hlt(uint64_t handler);
void u_prog_int81(uint64_t handler);
void u_prog_x87(uint64_t handler);
void u_prog_misaligned(uint64_t handler);

void u_sigreturn_trampoline(void);
#endif

#endif /* X86_UPROG_H */
