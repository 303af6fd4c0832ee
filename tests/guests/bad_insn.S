/* SPDX-License-Identifier: MIT */
/* An SSE instruction at CPL0. On hosts whose KVM emulates CPL0 code it is
 * an emulation failure irqvm must report with the bytes (status 6); on
 * VMX/SVM hosts it runs, and the guest exits with 7 to say so. */
#include "common.h"
	.code64
	.globl _start
_start:
	mov %cr4, %rax
	or $0x600, %rax          /* OSFXSR | OSXMMEXCPT so SSE is legal */
	mov %rax, %cr4
	mov %cr0, %rax
	and $~0x4, %rax          /* clear EM */
	or $0x2, %rax            /* set MP */
	mov %rax, %cr0
	xorps %xmm0, %xmm0
	mov $7, %eax
	mov $PORT_EXIT, %dx
	out %eax, %dx
1:	hlt
	jmp 1b
