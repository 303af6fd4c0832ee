/* SPDX-License-Identifier: MIT */
/*
 * Kernel entry points. The VMM starts every CPU in 64-bit mode on its own
 * page tables and GDT (include/irqvm/abi.h); we move to our own stack, and
 * the C code then installs our own descriptor tables and page tables.
 */
#include "layout.h"

	.section .text.boot, "ax"
	.code64

/* Boot CPU. RDI = guest-physical address of struct irqvm_boot_info. */
	.globl _start
	.type _start, @function
_start:
	cli
	cld
	movq %rdi, %r12
	leaq x86_cpu_stacks + X86_KSTACK_TOP(%rip), %rsp
	xorl %ebp, %ebp

	/* Zero .bss (8-byte multiple, see linker.ld). The stacks live in
	 * .stacks and are not cleared: that would cost ~1 us per word on
	 * hosts that emulate kernel instructions. */
	leaq __bss_start(%rip), %rdi
	leaq __bss_end(%rip), %rcx
	subq %rdi, %rcx
	shrq $3, %rcx
	xorl %eax, %eax
	rep stosq

	movq %r12, %rdi
	call x86_boot_main
1:	cli
	hlt
	jmp 1b
	.size _start, . - _start

/* Secondary CPUs, started through the platform device with RIP here,
 * RSP = top of their kernel stack, RDI = RSI = CPU index. */
	.globl x86_ap_entry
	.type x86_ap_entry, @function
x86_ap_entry:
	cli
	cld
	movq %rdi, %r12
	/* Our page tables use NX: make sure EFER.NXE is on before CR3. */
	movl $0xc0000080, %ecx
	rdmsr
	orl $(1 << 11), %eax
	wrmsr
	movq x86_kernel_cr3(%rip), %rax
	movq %rax, %cr3
	xorl %ebp, %ebp
	movq %r12, %rdi
	call x86_ap_main
1:	cli
	hlt
	jmp 1b
	.size x86_ap_entry, . - x86_ap_entry

/* Stacks and special pages: no file contents, not zeroed. */
	.section .stacks, "aw", @nobits
	.balign PAGE_SIZE
	.globl x86_cpu_stacks
x86_cpu_stacks:
	.skip X86_CPU_STACKS_SIZE * X86_MAX_CPUS

/* User-mode stack for test tasks (mapped user, no-execute). */
	.balign PAGE_SIZE
	.globl user_stack, user_stack_end
user_stack:
	.skip 4 * PAGE_SIZE
user_stack_end:

/* Never mapped: the #PF tests touch it. */
	.balign PAGE_SIZE
	.globl guard_page
guard_page:
	.skip PAGE_SIZE

	.section .note.GNU-stack, "", @progbits
