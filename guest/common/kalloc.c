/* SPDX-License-Identifier: MIT */
/*
 * Bump allocator over the RAM above the kernel image (kalloc.h). The
 * memory regions come from boot_params; the first region that has room
 * past the current position is used.
 */
#include "boot.h"
#include "compiler.h"
#include "kalloc.h"
#include "kstring.h"
#include "spinlock.h"

static spinlock_t kalloc_lock = SPINLOCK_INIT;
static uint64_t next_free; /* 0 = not started */
static size_t used;

/* Lowest free byte at or above `from` that lies in RAM with `size` bytes
 * behind it, or 0. */
static uint64_t fit(uint64_t from, size_t size, size_t align)
{
	const struct boot_params *bp = &boot_params;

	for (unsigned int i = 0; i < bp->nr_mem_regions && i < BOOT_MAX_MEM_REGIONS; i++) {
		uint64_t base = bp->mem[i].base, end = base + bp->mem[i].size;
		uint64_t a = ALIGN_UP(from > base ? from : base, (uint64_t)align);

		if (a < end && end - a >= size)
			return a;
	}
	return 0;
}

void *kalloc(size_t size, size_t align)
{
	uint64_t a;

	if (!align || (align & (align - 1)))
		return NULL;
	spin_lock(&kalloc_lock);
	if (!next_free)
		next_free = ALIGN_UP(boot_params.kernel_end, 4096ull);
	a = fit(next_free, size, align);
	if (a) {
		next_free = a + size;
		used += size;
	}
	spin_unlock(&kalloc_lock);
	if (!a)
		return NULL;
	/* Fresh guest RAM is zero, but a rebooted or reused VM need not be. */
	memset((void *)(uintptr_t)a, 0, size);
	return (void *)(uintptr_t)a;
}

size_t kalloc_used(void)
{
	return used;
}
