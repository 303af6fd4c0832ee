/* SPDX-License-Identifier: MIT */
/*
 * Trap entry and exit, user-mode entry and exit, thread switch.
 *
 * Entry: sscratch is 0 while the kernel runs and holds the per-CPU pointer
 * while a user task runs. Swapping it with tp tells the two apart: from
 * U-mode tp becomes the per-CPU pointer (and sscratch the task's tp); from
 * S-mode tp becomes 0 and is fetched back from sscratch. Entries from
 * U-mode switch to the per-CPU trap stack (the running thread's, see
 * sched_rv.c), entries from S-mode stay on the current stack. The whole
 * integer state and sepc/sstatus/scause/stval form a struct trap_frame
 * (trap.h); rv_trap_dispatch() may edit it, and the exit path restores
 * sstatus and sepc from it before sret, so nested traps in the handler do
 * not matter.
 *
 * stvec normally points at rv_trap_entry (direct mode). rv_trap_vectors is
 * the vectored-mode table (privileged spec 12.1.2): exceptions enter at
 * the base, interrupt cause n at base + 4n; each slot records its number
 * in the frame so the tests can see which one was used.
 */
#include "layout.h"

	.text

/* Spill t0, get tp = per-CPU pointer, t0 = slot, join the common path. */
.macro TRAP_ENTER slot
	csrrw tp, sscratch, tp
	bnez tp, 1f
	csrr tp, sscratch
1:	sd t0, PCPU_SCRATCH_T0(tp)
	li t0, \slot
	j rv_trap_common
.endm

	.balign 4
	.globl rv_trap_entry
	.type rv_trap_entry, @function
rv_trap_entry:
	TRAP_ENTER -1
	.size rv_trap_entry, . - rv_trap_entry

	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.balign 4
rv_vec_\n:
	TRAP_ENTER \n
	.endr

	.type rv_trap_common, @function
rv_trap_common:
	sd t1, PCPU_SCRATCH_T1(tp)
	sd sp, PCPU_SCRATCH_SP(tp)
	csrr t1, sstatus
	andi t1, t1, SSTATUS_SPP
	bnez t1, 1f
	ld sp, PCPU_TRAP_STACK_TOP(tp)	/* from U-mode: the trap stack */
1:	addi sp, sp, -TF_SIZE
	sd ra, TF_RA(sp)
	sd gp, TF_GP(sp)
	sd t2, TF_T2(sp)
	sd s0, TF_S0(sp)
	sd s1, TF_S1(sp)
	sd a0, TF_A0(sp)
	sd a1, TF_A1(sp)
	sd a2, TF_A2(sp)
	sd a3, TF_A3(sp)
	sd a4, TF_A4(sp)
	sd a5, TF_A5(sp)
	sd a6, TF_A6(sp)
	sd a7, TF_A7(sp)
	sd s2, TF_S2(sp)
	sd s3, TF_S3(sp)
	sd s4, TF_S4(sp)
	sd s5, TF_S5(sp)
	sd s6, TF_S6(sp)
	sd s7, TF_S7(sp)
	sd s8, TF_S8(sp)
	sd s9, TF_S9(sp)
	sd s10, TF_S10(sp)
	sd s11, TF_S11(sp)
	sd t3, TF_T3(sp)
	sd t4, TF_T4(sp)
	sd t5, TF_T5(sp)
	sd t6, TF_T6(sp)
	sd t0, TF_SLOT(sp)
	ld t0, PCPU_SCRATCH_SP(tp)
	sd t0, TF_SP(sp)
	ld t0, PCPU_SCRATCH_T0(tp)
	sd t0, TF_T0(sp)
	ld t0, PCPU_SCRATCH_T1(tp)
	sd t0, TF_T1(sp)
	csrrw t0, sscratch, zero	/* the interrupted tp; 0 = "in the kernel" */
	sd t0, TF_TP(sp)
	csrr t0, sepc
	sd t0, TF_SEPC(sp)
	csrr t0, sstatus
	sd t0, TF_SSTATUS(sp)
	csrr t0, scause
	sd t0, TF_SCAUSE(sp)
	csrr t0, stval
	sd t0, TF_STVAL(sp)
	mv s0, zero			/* a clean frame-pointer chain for dumps */
	mv a0, sp
	call rv_trap_dispatch

	.globl rv_trap_return
rv_trap_return:
	ld t0, TF_SSTATUS(sp)		/* SIE is 0 in it: no interrupt from here */
	ld t1, TF_SEPC(sp)
	csrw sstatus, t0
	csrw sepc, t1
	andi t0, t0, SSTATUS_SPP
	bnez t0, 1f
	csrw sscratch, tp		/* back to U-mode: per-CPU pointer for the next entry */
1:	ld ra, TF_RA(sp)
	ld gp, TF_GP(sp)
	ld tp, TF_TP(sp)
	ld t0, TF_T0(sp)
	ld t1, TF_T1(sp)
	ld t2, TF_T2(sp)
	ld s0, TF_S0(sp)
	ld s1, TF_S1(sp)
	ld a0, TF_A0(sp)
	ld a1, TF_A1(sp)
	ld a2, TF_A2(sp)
	ld a3, TF_A3(sp)
	ld a4, TF_A4(sp)
	ld a5, TF_A5(sp)
	ld a6, TF_A6(sp)
	ld a7, TF_A7(sp)
	ld s2, TF_S2(sp)
	ld s3, TF_S3(sp)
	ld s4, TF_S4(sp)
	ld s5, TF_S5(sp)
	ld s6, TF_S6(sp)
	ld s7, TF_S7(sp)
	ld s8, TF_S8(sp)
	ld s9, TF_S9(sp)
	ld s10, TF_S10(sp)
	ld s11, TF_S11(sp)
	ld t3, TF_T3(sp)
	ld t4, TF_T4(sp)
	ld t5, TF_T5(sp)
	ld t6, TF_T6(sp)
	ld sp, TF_SP(sp)
	sret
	.size rv_trap_common, . - rv_trap_common

/* The vectored-mode table: one 4-byte jump per slot (no compressed
 * instructions, or the slots would not be 4 bytes apart). */
	.balign 256
	.globl rv_trap_vectors
rv_trap_vectors:
	.option push
	.option norvc
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	j rv_vec_\n
	.endr
	.option pop
	.size rv_trap_vectors, . - rv_trap_vectors

.macro SAVE_CALLEE
	addi sp, sp, -CALLEE_FRAME
	sd ra, 0(sp)
	sd s0, 8(sp)
	sd s1, 16(sp)
	sd s2, 24(sp)
	sd s3, 32(sp)
	sd s4, 40(sp)
	sd s5, 48(sp)
	sd s6, 56(sp)
	sd s7, 64(sp)
	sd s8, 72(sp)
	sd s9, 80(sp)
	sd s10, 88(sp)
	sd s11, 96(sp)
.endm

.macro RESTORE_CALLEE
	ld ra, 0(sp)
	ld s0, 8(sp)
	ld s1, 16(sp)
	ld s2, 24(sp)
	ld s3, 32(sp)
	ld s4, 40(sp)
	ld s5, 48(sp)
	ld s6, 56(sp)
	ld s7, 64(sp)
	ld s8, 72(sp)
	ld s9, 80(sp)
	ld s10, 88(sp)
	ld s11, 96(sp)
	addi sp, sp, CALLEE_FRAME
.endm

/*
 * uint64_t rv_user_enter(uint64_t *saved_sp, uint64_t pc, uint64_t sp,
 *                        uint64_t arg)
 *
 * Runs a user task as a nested call: saves the kernel's callee-saved
 * registers and stack pointer, then sret's to U-mode at pc with a0 = arg.
 * When the task exits or is killed, rv_user_leave() (called from a trap
 * handler on the trap stack) restores them and this returns the status.
 */
	.globl rv_user_enter
	.type rv_user_enter, @function
rv_user_enter:
	csrci sstatus, SSTATUS_SIE	/* no trap between sscratch and sret */
	SAVE_CALLEE
	sd sp, 0(a0)
	csrw sepc, a1
	li t0, SSTATUS_SPP
	csrc sstatus, t0		/* sret to U-mode */
	li t0, SSTATUS_SPIE
	csrs sstatus, t0
	csrw sscratch, tp
	mv sp, a2
	mv a0, a3
	/* Leave no kernel values behind in user-visible registers. */
	li ra, 0
	li gp, 0
	li tp, 0
	li t0, 0
	li t1, 0
	li t2, 0
	li s0, 0
	li s1, 0
	li a1, 0
	li a2, 0
	li a3, 0
	li a4, 0
	li a5, 0
	li a6, 0
	li a7, 0
	li s2, 0
	li s3, 0
	li s4, 0
	li s5, 0
	li s6, 0
	li s7, 0
	li s8, 0
	li s9, 0
	li s10, 0
	li s11, 0
	li t3, 0
	li t4, 0
	li t5, 0
	li t6, 0
	sret
	.size rv_user_enter, . - rv_user_enter

/* __noreturn void rv_user_leave(uint64_t saved_sp, uint64_t value) */
	.globl rv_user_leave
	.type rv_user_leave, @function
rv_user_leave:
	mv sp, a0
	mv a0, a1
	RESTORE_CALLEE
	ret
	.size rv_user_leave, . - rv_user_leave

/*
 * void rv_switch_stacks(uint64_t *save_sp, uint64_t next_sp)
 *
 * Kernel thread switch: the switched-out thread's stack keeps its
 * callee-saved registers and return address; everything else is the C
 * caller's (an ordinary call made with interrupts off). tp is per CPU and
 * threads never migrate, so it stays.
 */
	.globl rv_switch_stacks
	.type rv_switch_stacks, @function
rv_switch_stacks:
	SAVE_CALLEE
	sd sp, 0(a0)
	mv sp, a1
	RESTORE_CALLEE
	ret
	.size rv_switch_stacks, . - rv_switch_stacks

/* First code of a new thread: arch_thread_init() left the thread pointer
 * in s0 and this address as the return address. */
	.globl rv_thread_start
	.type rv_thread_start, @function
rv_thread_start:
	mv a0, s0
	li s0, 0
	call sched_thread_entry
1:	wfi
	j 1b
	.size rv_thread_start, . - rv_thread_start

	.section .note.GNU-stack, "", @progbits
