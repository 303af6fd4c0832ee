/* SPDX-License-Identifier: MIT */
/*
 * User-mode test programs (user_progs.S, user_progs.c) and the data they
 * share with the kernel-side tests. They live in the .user_text and
 * .user_data sections, the only kernel-image pages mapped for U-mode, so
 * they must not call kernel functions or use kernel constants (string
 * literals live in .rodata, which is supervisor-only).
 *
 * "Fault programs" take the signal handler to register as their argument
 * (0 = none, so a fault kills them), load s2 with the address sepc must
 * show (on RISC-V always the faulting instruction, ebreak included), s3
 * with where a handler should resume, s4 with a canary, and exit with 0
 * if the canary survived the round trip through the signal frame, 1
 * otherwise.
 *
 * System calls: a7 = number, a0-a2 = arguments, result in a0 (uapi.h).
 */
#ifndef RV_UPROG_H
#define RV_UPROG_H

#define U_CANARY 0x5eed0f0ca11ab1e5

#ifndef __ASSEMBLY__
#include <stdint.h>

#include "compiler.h"
#include "uapi.h"

#define __user_text __section(".user_text") __noinline __used
#define __user_data __section(".user_data")

/* The interrupted context given to a signal handler (third argument):
 * x1..x31 in register-number order, then the pc. SYS_SIGRETURN restores
 * it. siginfo: vector = scause, addr = stval for address exceptions,
 * error_code = stval otherwise (an illegal instruction's bits, or 0). */
struct user_regs {
	uint64_t ra, sp, gp, tp, t0, t1, t2, s0, s1;
	uint64_t a0, a1, a2, a3, a4, a5, a6, a7;
	uint64_t s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
	uint64_t t3, t4, t5, t6;
	uint64_t pc;
};

extern uint64_t u_target;     /* address the read/write/jump programs use */
extern int64_t u_results[8];  /* u_prog_syscalls' return values */
extern uint64_t u_value;      /* what some programs compute */

/* u_prog_busy and its counters, for the busy tasks: uthread.h. */

void u_prog_exit(uint64_t status);
void u_prog_syscalls(uint64_t unused);
void u_prog_sigreturn(uint64_t unused);
void u_prog_div0(uint64_t unused);

void u_prog_illegal(uint64_t handler);
void u_prog_ebreak(uint64_t handler);
void u_prog_read(uint64_t handler);
void u_prog_write(uint64_t handler);
void u_prog_jump(uint64_t handler);
void u_prog_sret(uint64_t handler);
void u_prog_csr(uint64_t handler);
void u_prog_fpu(uint64_t handler);
void u_prog_misaligned(uint64_t handler);

void u_sigreturn_trampoline(void);
#endif

#endif /* RV_UPROG_H */
