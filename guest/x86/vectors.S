/* SPDX-License-Identifier: MIT */
/*
 * Entry stubs for all 256 IDT vectors and the common trap path.
 *
 * Each stub is 16 bytes at x86_vector_stubs + 16 * vector: it pushes a
 * zero error code where the CPU pushes none, then the vector number, and
 * joins trap_common, which saves every general-purpose register to form a
 * struct trap_frame (trap.h), calls trap_dispatch() and returns with iretq.
 *
 * Stack alignment: the CPU aligns RSP to 16 before pushing its 5-word frame
 * (64-bit mode), the stub adds 2 words and trap_common 15, 22 words in all,
 * so RSP is 16-byte aligned at the call as the ABI wants.
 */
#include "gprs.h"
#include "layout.h"

	.text
	.code64

	.balign 16
	.globl x86_vector_stubs
x86_vector_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	/* Vectors with a CPU-pushed error code: #DF #TS #NP #SS #GP #PF #AC
	 * #CP #VC #SX. */
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp trap_common
	.set vec, vec + 1
	.endr

	.balign 16
	.globl trap_common
	.type trap_common, @function
trap_common:
	PUSH_GPRS
	cld
	movq %rsp, %rdi
	call trap_dispatch
	.globl trap_return
trap_return:
	POP_GPRS
	addq $16, %rsp		/* vector, error code */
	iretq
	.size trap_common, . - trap_common

	.section .note.GNU-stack, "", @progbits
