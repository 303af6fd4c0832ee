/* SPDX-License-Identifier: MIT */
/*
 * memset/memcpy/memmove with string instructions. They override the weak
 * portable loops in guest/common/string.c: at CPL0 on hosts that emulate
 * every kernel instruction, one `rep movsb` costs far less than a loop.
 */
	.text
	.code64

/* void *memset(void *dst, int c, size_t n) */
	.globl memset
	.type memset, @function
memset:
	movq %rdi, %r9
	movl %esi, %eax
	movq %rdx, %rcx
	rep stosb
	movq %r9, %rax
	ret
	.size memset, . - memset

/* void *memcpy(void *dst, const void *src, size_t n) */
	.globl memcpy
	.type memcpy, @function
memcpy:
	movq %rdi, %rax
	movq %rdx, %rcx
	rep movsb
	ret
	.size memcpy, . - memcpy

/* void *memmove(void *dst, const void *src, size_t n) */
	.globl memmove
	.type memmove, @function
memmove:
	movq %rdi, %rax
	movq %rdx, %rcx
	cmpq %rsi, %rdi
	jbe 1f				/* dst <= src: forward copy is safe */
	leaq (%rsi, %rdx), %r8
	cmpq %r8, %rdi
	jae 1f				/* no overlap */
	leaq -1(%rsi, %rdx), %rsi	/* overlap with dst above src: backwards */
	leaq -1(%rdi, %rdx), %rdi
	std
	rep movsb
	cld
	ret
1:	rep movsb
	ret
	.size memmove, . - memmove

	.section .note.GNU-stack, "", @progbits
