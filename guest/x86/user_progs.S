/* SPDX-License-Identifier: MIT */
/*
 * User-mode programs written in assembly, where the exact faulting
 * instruction matters. Conventions in uprog.h.
 */
#include "uapi.h"
#include "uprog.h"

	.section .user_text, "ax", @progbits
	.code64

.macro PROG name
	.globl \name
	.type \name, @function
\name:
.endm

/* Fault program prologue: register the handler in rdi (0 = none). */
.macro FAULT_PROG name
	PROG \name
	movl $SYS_SIGACTION, %eax
	int $0x80
	movabsq $U_CANARY, %r14
.endm

/* exit(r14 == canary ? 0 : 1) */
.macro FAULT_PROG_END
	movabsq $U_CANARY, %rax
	xorl %edi, %edi
	cmpq %rax, %r14
	setne %dil
	movl $SYS_EXIT, %eax
	int $0x80
	ud2
.endm

PROG u_prog_exit
	movl $SYS_EXIT, %eax
	int $0x80
	ud2

PROG u_prog_cpl
	movl %cs, %edi
	andl $3, %edi
	movl $SYS_EXIT, %eax
	int $0x80
	ud2

/* Time `iterations` turns of a two-instruction loop with the TSC; the
 * kernel times the same loop at CPL0 (probe.c). */
PROG u_prog_spin
	movq %rdi, %rcx
	rdtsc
	shlq $32, %rdx
	orq %rax, %rdx
	movq %rdx, %r8
1:	decq %rcx
	jnz 1b
	rdtsc
	shlq $32, %rdx
	orq %rax, %rdx
	subq %r8, %rdx
	movq %rdx, u_spin_cycles(%rip)
	xorl %edi, %edi
	movl $SYS_EXIT, %eax
	int $0x80
	ud2

/* exit(getpid()) through the `syscall` instruction. */
PROG u_prog_syscall_probe
	movl $SYS_GETPID, %eax
	syscall
	movq %rax, %rdi
	movl $SYS_EXIT, %eax
	int $0x80
	ud2

FAULT_PROG u_prog_ud2
	leaq 1f(%rip), %r12
	leaq 2f(%rip), %r13
1:	ud2
2:	FAULT_PROG_END

FAULT_PROG u_prog_div0
	leaq 1f(%rip), %r12
	leaq 2f(%rip), %r13
	xorl %ecx, %ecx
	movl $1, %eax
	xorl %edx, %edx
1:	divl %ecx
2:	FAULT_PROG_END

/* A trap: the saved RIP is the instruction after int3. */
FAULT_PROG u_prog_int3
	leaq 2f(%rip), %r12
	leaq 2f(%rip), %r13
1:	int3
2:	FAULT_PROG_END

FAULT_PROG u_prog_read
	movq u_target(%rip), %rax
	leaq 1f(%rip), %r12
	leaq 2f(%rip), %r13
1:	movq (%rax), %rax
2:	FAULT_PROG_END

/* Jump to u_target: the fetch itself faults, so RIP = CR2 = u_target. */
FAULT_PROG u_prog_jump
	movq u_target(%rip), %rax
	movq %rax, %r12
	leaq 2f(%rip), %r13
	jmp *%rax
2:	FAULT_PROG_END

/* Privileged instruction at CPL3: #GP(0). */
FAULT_PROG u_prog_hlt
	leaq 1f(%rip), %r12
	leaq 2f(%rip), %r13
1:	hlt
2:	FAULT_PROG_END

/* Software interrupt through a DPL-0 gate: #GP(vector * 8 + 2). */
FAULT_PROG u_prog_int81
	leaq 1f(%rip), %r12
	leaq 2f(%rip), %r13
1:	int $0x81
2:	FAULT_PROG_END

/* x87 with CR0.TS set: #NM at the first x87 instruction; the kernel
 * clears TS and the instruction is restarted. */
FAULT_PROG u_prog_x87
	leaq 1f(%rip), %r12
	leaq 2f(%rip), %r13
1:	fninit
	fld1
	fstp %st(0)
2:	FAULT_PROG_END

/* With CR0.AM set by the kernel: EFLAGS.AC plus a misaligned load. */
FAULT_PROG u_prog_misaligned
	movq %rsp, %rax
	andq $~15, %rax
	subq $32, %rax
	leaq 1f(%rip), %r12
	leaq 2f(%rip), %r13
	pushfq
	orq $0x40000, (%rsp)
	popfq
1:	movl 1(%rax), %ecx
2:	pushfq
	andq $~0x40000, (%rsp)
	popfq
	FAULT_PROG_END

/* SYS_SIGRETURN outside a handler: a forged frame, the task must die. */
PROG u_prog_sigreturn
	movl $SYS_SIGRETURN, %eax
	int $0x80
	xorl %edi, %edi
	movl $SYS_EXIT, %eax
	int $0x80
	ud2

/* A signal handler that faults itself: the task must be killed. */
PROG u_sig_handler_faults
	ud2

/* Where a signal handler returns to (the frame's return address). */
PROG u_sigreturn_trampoline
	movl $SYS_SIGRETURN, %eax
	int $0x80
	ud2

	.section .note.GNU-stack, "", @progbits
