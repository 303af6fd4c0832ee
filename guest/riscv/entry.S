/* SPDX-License-Identifier: MIT */
/*
 * Kernel entry points. Every hart enters in S-mode (VS-mode under KVM)
 * with the MMU off and interrupts disabled (docs/riscv.md, "Boot
 * protocol"): the boot hart at the ELF entry with a0 = its hart id and
 * a1 = the device tree; the others where SBI HSM hart_start said, with
 * a0 = hart id and a1 = the opaque argument.
 */
#include "layout.h"

	.section .text.boot, "ax"

/* Boot hart. */
	.globl _start
	.type _start, @function
_start:
	csrw sie, zero
	csrci sstatus, SSTATUS_SIE
	csrw sscratch, zero
	csrr s2, satp			/* as the VMM left it, for the boot check */
	mv s0, a0
	mv s1, a1
	la tp, percpu			/* CPU 0's block; filled in by C */
	la sp, rv_cpu_stacks + RV_KSTACK_TOP

	/* Zero .bss (8-byte multiple, see linker.ld). The stacks live in
	 * .stacks and are not cleared. */
	la t0, __bss_start
	la t1, __bss_end
1:	bgeu t0, t1, 2f
	sd zero, 0(t0)
	addi t0, t0, 8
	j 1b
2:
	mv a0, s0
	mv a1, s1
	mv a2, s2
	call rv_boot_main
3:	wfi
	j 3b
	.size _start, . - _start

/* Secondary harts, started by SBI HSM with a1 = the address of their
 * struct rv_start_args (hart.c): tp, sp and satp to load. */
	.globl rv_secondary_entry
	.type rv_secondary_entry, @function
	.balign 4
rv_secondary_entry:
	csrw sie, zero
	csrci sstatus, SSTATUS_SIE
	csrw sscratch, zero
	ld tp, 0(a1)
	ld sp, 8(a1)
	la t0, rv_trap_entry		/* before anything can fault */
	csrw stvec, t0
	ld t0, 16(a1)
	csrw satp, t0
	sfence.vma
	call rv_secondary_main
1:	wfi
	j 1b
	.size rv_secondary_entry, . - rv_secondary_entry

/* Stacks and special pages: no file contents, not zeroed. */
	.section .stacks, "aw", @nobits
	.balign PAGE_SIZE
	.globl rv_cpu_stacks
rv_cpu_stacks:
	.skip RV_CPU_STACKS_SIZE * RV_MAX_CPUS

/* User-mode stack for test tasks (mapped user, read-write). */
	.balign PAGE_SIZE
	.globl user_stack, user_stack_end
user_stack:
	.skip 4 * PAGE_SIZE
user_stack_end:

/* Never mapped: the page-fault tests touch it. */
	.balign PAGE_SIZE
	.globl guard_page
guard_page:
	.skip PAGE_SIZE

	.section .note.GNU-stack, "", @progbits
