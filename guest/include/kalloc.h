/* SPDX-License-Identifier: MIT */
/*
 * Boot-time memory: a bump allocator over the RAM the boot protocol
 * reported, above the kernel image. Nothing is ever freed: the kernel
 * allocates thread stacks, per-CPU tables and the statistics page a few
 * times at most, so a free list would be dead weight.
 */
#ifndef GUEST_KALLOC_H
#define GUEST_KALLOC_H

#include <stddef.h>
#include <stdint.h>

/* Zeroed, `align`-aligned (a power of two) block of `size` bytes, or NULL
 * when RAM is exhausted. Safe from any CPU, not from interrupt handlers. */
void *kalloc(size_t size, size_t align);

/* Bytes handed out so far (diagnostics). */
size_t kalloc_used(void);

#endif /* GUEST_KALLOC_H */
