/* SPDX-License-Identifier: MIT */
/*
 * x86-64 constants shared by C and assembly: segment selectors, stack
 * layout, per-CPU field offsets, special vectors.
 */
#ifndef X86_LAYOUT_H
#define X86_LAYOUT_H

#define X86_MAX_CPUS 8 /* == GUEST_MAX_CPUS == IRQVM_MAX_VCPUS */
#define PAGE_SIZE 4096

/* GDT. Kernel selectors match the VMM's boot GDT so the switch to our own
 * table needs no far jump ordering tricks. The user entries are ordered as
 * STAR/SYSRET require: SYSRET loads SS = base + 8 and CS = base + 16. */
#define X86_KERNEL_CS 0x08
#define X86_KERNEL_DS 0x10
#define X86_USER_CS32 0x1b /* SYSRET base; never used to run code */
#define X86_USER_DS 0x23
#define X86_USER_CS 0x2b
#define X86_NP_DS 0x30     /* present bit clear: for the #NP/#SS tests */
#define X86_TSS_BASE_SEL 0x40
#define X86_TSS_SEL(cpu) (X86_TSS_BASE_SEL + 16 * (cpu))
#define X86_GDT_ENTRIES (8 + 2 * X86_MAX_CPUS)

/* Per-CPU stack block, low to high. Guard pages are left unmapped so an
 * overflow faults instead of corrupting the neighbour. */
#define X86_STACK_GUARD0 0x0000
#define X86_KSTACK_BASE 0x1000 /* main kernel stack, 16 KiB */
#define X86_KSTACK_TOP 0x5000
#define X86_STACK_GUARD1 0x5000
#define X86_TRAP_STACK_BASE 0x6000 /* TSS.rsp0: entries from user mode */
#define X86_TRAP_STACK_TOP 0x8000
#define X86_IST_NMI_TOP 0x9000 /* IST1, 4 KiB each */
#define X86_IST_DF_TOP 0xa000  /* IST2 */
#define X86_IST_MC_TOP 0xb000  /* IST3 */
#define X86_CPU_STACKS_SIZE 0xb000

#define X86_IST_NMI 1
#define X86_IST_DF 2
#define X86_IST_MC 3

/* struct percpu offsets used by assembly (checked in percpu.h). */
#define PCPU_SELF 0
#define PCPU_TRAP_STACK_TOP 8
#define PCPU_USER_RSP 16

/* System call gate (DPL 3), and the pseudo vector the `syscall`
 * instruction entry puts in its trap frame. */
#define X86_SYSCALL_VECTOR 0x80
#define X86_SYSCALL_INSN_VECTOR 0x100

/* struct trap_frame size and the offsets assembly needs. */
#define TF_VECTOR 120
#define TF_SIZE 176

#endif /* X86_LAYOUT_H */
