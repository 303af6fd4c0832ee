/* SPDX-License-Identifier: MIT */
/*
 * RISC-V constants shared by C and assembly: CSR numbers and bits, the
 * per-hart stack layout, per-CPU and trap-frame offsets used by the entry
 * code. Plain integers only (assembly includes this).
 */
#ifndef RV_LAYOUT_H
#define RV_LAYOUT_H

#define RV_MAX_CPUS 8 /* == GUEST_MAX_CPUS == IRQVM_MAX_VCPUS */
#define PAGE_SIZE 4096
#define PAGE_SHIFT 12

/* sstatus (privileged spec 12.1.1) */
#define SSTATUS_SIE 0x2
#define SSTATUS_SPIE 0x20
#define SSTATUS_SPP 0x100
#define SSTATUS_FS 0x6000
#define SSTATUS_FS_OFF 0x0000
#define SSTATUS_FS_INITIAL 0x2000
#define SSTATUS_FS_CLEAN 0x4000
#define SSTATUS_FS_DIRTY 0x6000
#define SSTATUS_SUM 0x40000
#define SSTATUS_MXR 0x80000

/* sie / sip bits: supervisor software, timer, external interrupt */
#define SIE_SSIE 0x2
#define SIE_STIE 0x20
#define SIE_SEIE 0x200

/* scause codes (privileged spec table 12.2) */
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9

#define EXC_INSN_MISALIGNED 0
#define EXC_INSN_ACCESS 1
#define EXC_ILLEGAL_INSN 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_ECALL_S 9
#define EXC_INSN_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15
#define RV_NR_EXCEPTIONS 24

/* stvec MODE field */
#define STVEC_MODE_DIRECT 0
#define STVEC_MODE_VECTORED 1
#define RV_NR_VECTOR_SLOTS 16 /* vectored table: exceptions + causes 1..15 */


/* Sstc's stimecmp (CSR 0x14d); named by number so the assembler needs no
 * extension flag for it. */
#define CSR_STIMECMP 0x14d

/* Per-CPU stack block, low to high. Guard pages stay unmapped so an
 * overflow faults instead of corrupting the neighbour. */
#define RV_STACK_GUARD0 0x0000
#define RV_KSTACK_BASE 0x1000 /* boot / idle kernel stack, 16 KiB */
#define RV_KSTACK_TOP 0x5000
#define RV_STACK_GUARD1 0x5000
#define RV_TRAP_STACK_BASE 0x6000 /* entries from U-mode, 8 KiB */
#define RV_TRAP_STACK_TOP 0x8000
#define RV_CPU_STACKS_SIZE 0x8000

/* struct percpu offsets used by the entry code (checked in percpu.h). */
#define PCPU_SELF 0
#define PCPU_TRAP_STACK_TOP 8
#define PCPU_SCRATCH_SP 16
#define PCPU_SCRATCH_T0 24
#define PCPU_SCRATCH_T1 32

/* struct trap_frame (trap.h): x1..x31, then the CSRs and the entry slot. */
#define TF_RA 0
#define TF_SP 8
#define TF_GP 16
#define TF_TP 24
#define TF_T0 32
#define TF_T1 40
#define TF_T2 48
#define TF_S0 56
#define TF_S1 64
#define TF_A0 72
#define TF_A1 80
#define TF_A2 88
#define TF_A3 96
#define TF_A4 104
#define TF_A5 112
#define TF_A6 120
#define TF_A7 128
#define TF_S2 136
#define TF_S3 144
#define TF_S4 152
#define TF_S5 160
#define TF_S6 168
#define TF_S7 176
#define TF_S8 184
#define TF_S9 192
#define TF_S10 200
#define TF_S11 208
#define TF_T3 216
#define TF_T4 224
#define TF_T5 232
#define TF_T6 240
#define TF_SEPC 248
#define TF_SSTATUS 256
#define TF_SCAUSE 264
#define TF_STVAL 272
#define TF_SLOT 280
#define TF_SIZE 288

/* Callee-saved context pushed by the user-entry and thread-switch code:
 * ra, s0..s11, padded to 16 bytes. */
#define CALLEE_FRAME 112

#endif /* RV_LAYOUT_H */
