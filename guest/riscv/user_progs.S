/* SPDX-License-Identifier: MIT */
/*
 * User-mode programs written in assembly, where the exact faulting
 * instruction matters. Conventions in uprog.h.
 */
#include "uapi.h"
#include "uprog.h"

	.section .user_text, "ax", @progbits

.macro PROG name
	.globl \name
	.type \name, @function
	.balign 4
\name:
.endm

/* Fault program prologue: register the handler in a0 (0 = none). */
.macro FAULT_PROG name
	PROG \name
	li a7, SYS_SIGACTION
	ecall
	li s4, U_CANARY
.endm

/* exit(s4 == canary ? 0 : 1) */
.macro FAULT_PROG_END
	li t0, U_CANARY
	sub a0, s4, t0
	snez a0, a0
	li a7, SYS_EXIT
	ecall
	unimp
.endm

PROG u_prog_exit
	li a7, SYS_EXIT
	ecall
	unimp

/* RISC-V integer division by zero does not trap (ISA manual, M extension:
 * the quotient is all ones, the remainder the dividend): exit with 0 if
 * that is what came out. */
PROG u_prog_div0
	li t0, 7
	li t1, 0
	divu t2, t0, t1
	remu t3, t0, t1
	li a0, 1
	li t4, -1
	bne t2, t4, 1f
	bne t3, t0, 1f
	li a0, 0
1:	li a7, SYS_EXIT
	ecall
	unimp

	.option push
	.option norvc		/* 4-byte instructions where the length matters */

FAULT_PROG u_prog_illegal
	la s2, 1f
	la s3, 2f
1:	unimp			/* csrrw x0, cycle, x0: writes a read-only CSR */
2:	FAULT_PROG_END

/* ebreak: sepc stays at the instruction (privileged spec 3.3.1), unlike
 * x86's int3 trap; the handler resumes after it. */
FAULT_PROG u_prog_ebreak
	la s2, 1f
	la s3, 2f
1:	ebreak
2:	FAULT_PROG_END

FAULT_PROG u_prog_read
	la t0, u_target
	ld t0, 0(t0)
	la s2, 1f
	la s3, 2f
1:	ld t1, 0(t0)
2:	FAULT_PROG_END

FAULT_PROG u_prog_write
	la t0, u_target
	ld t0, 0(t0)
	la s2, 1f
	la s3, 2f
1:	sd zero, 0(t0)
2:	FAULT_PROG_END

/* Jump to u_target: the fetch itself faults, so sepc = stval = u_target. */
FAULT_PROG u_prog_jump
	la t0, u_target
	ld t0, 0(t0)
	mv s2, t0
	la s3, 2f
	jr t0
2:	FAULT_PROG_END

/* A privileged instruction in U-mode: illegal instruction. */
FAULT_PROG u_prog_sret
	la s2, 1f
	la s3, 2f
1:	sret
2:	FAULT_PROG_END

/* A supervisor CSR read in U-mode: illegal instruction (privileged spec
 * 2.1: CSR address bits 9:8 give the lowest privilege allowed). Leaves
 * the value in u_value should the host let it through. */
FAULT_PROG u_prog_csr
	la s2, 1f
	la s3, 2f
	li t0, 0x5a5a
1:	csrr t0, sstatus
2:	la t1, u_value
	sd t0, 0(t1)
	FAULT_PROG_END

/* The first FP instruction with sstatus.FS = Off raises illegal
 * instruction; the kernel turns FS on and the instruction restarts
 * (lazy FPU). fmv.w.x ft0, t0 and fmv.x.w t1, ft0, encoded by hand as
 * the kernel is built without the F extension. */
FAULT_PROG u_prog_fpu
	la s2, 1f
	la s3, 2f
	li t0, 0x3f800000
1:	.4byte 0xf0028053	/* fmv.w.x ft0, t0 */
	.4byte 0xe0000353	/* fmv.x.w t1, ft0 */
	la t2, u_value
	sd t1, 0(t2)
2:	FAULT_PROG_END

/* A misaligned doubleword load from the user stack. */
FAULT_PROG u_prog_misaligned
	addi t0, sp, -64
	andi t0, t0, -16
	la s2, 1f
	la s3, 2f
1:	ld t1, 1(t0)
2:	FAULT_PROG_END

	.option pop

/* SYS_SIGRETURN outside a handler: a forged frame, the task must die. */
PROG u_prog_sigreturn
	li a7, SYS_SIGRETURN
	ecall
	li a0, 0
	li a7, SYS_EXIT
	ecall
	unimp

/* A signal handler that faults itself: the task must be killed. */
PROG u_sig_handler_faults
	unimp

/* Where a signal handler returns to (ra at its entry). */
PROG u_sigreturn_trampoline
	li a7, SYS_SIGRETURN
	ecall
	unimp

	.section .note.GNU-stack, "", @progbits
