/* SPDX-License-Identifier: MIT */
/* Prints a line, then writes 42 to the exit device: irqvm must exit 42
 * (or (42 << 1) | 1 = 85 with --exit-code qemu). */
#include "common.h"
	.code64
	.globl _start
_start:
	lea msg(%rip), %rsi
1:	lodsb
	test %al, %al
	jz 2f
	mov $PORT_UART, %dx
	out %al, %dx
	jmp 1b
2:	mov $42, %eax
	mov $PORT_EXIT, %dx
	out %eax, %dx
3:	hlt
	jmp 3b
msg:	.asciz "exit42 guest\n"
