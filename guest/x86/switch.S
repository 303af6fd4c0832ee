/* SPDX-License-Identifier: MIT */
/*
 * Kernel thread context switch. A switched-out thread's stack holds its
 * callee-saved registers and the return address into its caller; all other
 * state (caller-saved registers, RFLAGS) is the C caller's business, since
 * the switch is an ordinary function call made with interrupts off.
 */
	.text
	.code64

/* void x86_switch_stacks(uint64_t *save_rsp, uint64_t next_rsp) */
	.globl x86_switch_stacks
	.type x86_switch_stacks, @function
x86_switch_stacks:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size x86_switch_stacks, . - x86_switch_stacks

/* First code of a new thread: x86_thread_stack_init() left the thread
 * pointer in r12 and this address as the return address. RSP is 16-byte
 * aligned here, as the call below needs. */
	.globl x86_thread_start
	.type x86_thread_start, @function
x86_thread_start:
	xorl %ebp, %ebp
	movq %r12, %rdi
	call sched_thread_entry
1:	hlt
	jmp 1b
	.size x86_thread_start, . - x86_thread_start

	.section .note.GNU-stack, "", @progbits
