/* SPDX-License-Identifier: MIT */
/* Halts forever with interrupts off: only a timeout or a signal ends it. */
	.code64
	.globl _start
_start:
	cli
1:	hlt
	jmp 1b
