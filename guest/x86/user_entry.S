/* SPDX-License-Identifier: MIT */
/*
 * Switching between the kernel and user tasks.
 *
 * A user task runs as a nested call: x86_user_enter() saves the kernel's
 * callee-saved registers and stack pointer and iretq's to ring 3; when the
 * task exits or is killed, x86_user_leave() (called from a trap handler on
 * the TSS.rsp0 stack) restores them and returns from x86_user_enter(). The
 * trap stack is separate from the kernel stack, so nothing live is lost.
 */
#include "gprs.h"
#include "layout.h"

	.text
	.code64

/* uint64_t x86_user_enter(uint64_t *saved_rsp, uint64_t rip, uint64_t rsp,
 *                         uint64_t arg) */
	.globl x86_user_enter
	.type x86_user_enter, @function
x86_user_enter:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)

	pushq $X86_USER_DS		/* SS */
	pushq %rdx			/* RSP */
	pushq $0x202			/* RFLAGS: IF */
	pushq $X86_USER_CS		/* CS */
	pushq %rsi			/* RIP */
	movq %rcx, %rdi			/* first argument of the task */
	/* Leave no kernel values behind in user-visible registers. */
	xorl %eax, %eax
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %ebp, %ebp
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
	xorl %r12d, %r12d
	xorl %r13d, %r13d
	xorl %r14d, %r14d
	xorl %r15d, %r15d
	iretq
	.size x86_user_enter, . - x86_user_enter

/* __noreturn void x86_user_leave(uint64_t saved_rsp, uint64_t value) */
	.globl x86_user_leave
	.type x86_user_leave, @function
x86_user_leave:
	movq %rdi, %rsp
	movq %rsi, %rax
	/* A CPL3->CPL0 transition left SS null (64-bit mode): reload the
	 * kernel data selectors so later iretq frames hold sane values. */
	movl $X86_KERNEL_DS, %ecx
	movl %ecx, %ss
	movl %ecx, %ds
	movl %ecx, %es
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size x86_user_leave, . - x86_user_leave

/*
 * `syscall` instruction entry (MSR_LSTAR). RCX = user RIP, R11 = user
 * RFLAGS, RSP still the user's. Builds the same struct trap_frame as the
 * interrupt path (vector X86_SYSCALL_INSN_VECTOR) so the C side and
 * sigreturn need no special case, and returns with sysretq, or with iretq
 * when x86_syscall_insn_dispatch() asks for a full register restore.
 *
 * On nested "PVM" KVM, `syscall` does not switch CS to ring 0, so this code
 * is fetched at CPL3 and faults (supervisor page): the boot probe catches
 * that and the path is not offered (docs/guest.md).
 */
	.globl x86_syscall_entry
	.type x86_syscall_entry, @function
x86_syscall_entry:
	movq %rsp, %gs:PCPU_USER_RSP
	movq %gs:PCPU_TRAP_STACK_TOP, %rsp
	pushq $X86_USER_DS		/* SS */
	pushq %gs:PCPU_USER_RSP		/* RSP */
	pushq %r11			/* RFLAGS */
	pushq $X86_USER_CS		/* CS */
	pushq %rcx			/* RIP */
	pushq $0			/* error code */
	pushq $X86_SYSCALL_INSN_VECTOR
	PUSH_GPRS
	cld
	movq %rsp, %rdi
	call x86_syscall_insn_dispatch
	testl %eax, %eax
	jnz trap_return			/* full restore through iretq */
	POP_GPRS
	addq $16, %rsp
	movq 0(%rsp), %rcx		/* RIP */
	movq 16(%rsp), %r11		/* RFLAGS */
	movq 24(%rsp), %rsp		/* user RSP */
1:	sysretq
	.pushsection .extable, "a"
	.balign 8
	.quad 1b, x86_sysret_failed
	.popsection
	.size x86_syscall_entry, . - x86_syscall_entry

/* sysretq faulted at CPL0 (the #GP frame went to the user stack, which is
 * mapped): get back onto the trap stack and let C kill the task. */
	.type x86_sysret_failed, @function
x86_sysret_failed:
	movq %gs:PCPU_TRAP_STACK_TOP, %rsp
	call x86_sysret_fault
1:	hlt
	jmp 1b
	.size x86_sysret_failed, . - x86_sysret_failed

	.section .note.GNU-stack, "", @progbits
