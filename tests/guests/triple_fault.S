/* SPDX-License-Identifier: MIT */
/* ud2 with the boot IDT (limit 0): #UD cannot be delivered -> #DF cannot
 * either -> triple fault. irqvm must report a guest crash (status 6). */
	.code64
	.globl _start
_start:
	ud2
