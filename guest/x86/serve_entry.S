/* SPDX-License-Identifier: MIT */
/*
 * Serve mode's interrupt entry (serve_x86.c): the vectors that only count
 * take this short path instead of trap_common. It saves just the registers
 * a C call may clobber, reads the TSC first thing (the latency sample the
 * VMM pairs with its injection), and calls serve_fast_irq(vector, tsc).
 * No softirqs, no scheduling: counting raises neither. At ~1 us per
 * emulated ring-0 instruction this is about 40 instructions instead of the
 * ~170 of the general path. The interrupted RFLAGS goes along too:
 * serve_fast_irq drops a second delivery by the host (IF clear).
 */
	.text
	.code64

	.balign 16
	.globl serve_stubs
serve_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	pushq $vec
	jmp serve_fast_common
	.set vec, vec + 1
	.endr

	.balign 16
	.type serve_fast_common, @function
serve_fast_common:
	pushq %rax
	pushq %rcx
	pushq %rdx
	rdtsc
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	subq $8, %rsp		/* 5 CPU words + vector + 9 + 1: RSP 16-aligned at the call */
	cld
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, %rsi		/* TSC at entry */
	movq 80(%rsp), %rdi	/* vector */
	movq 104(%rsp), %rdx	/* RFLAGS of the interrupted code (RIP, CS, RFLAGS) */
	call serve_fast_irq
	addq $8, %rsp
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	addq $8, %rsp		/* vector */
	iretq
	.size serve_fast_common, . - serve_fast_common

	.section .note.GNU-stack, "", @progbits
