/* SPDX-License-Identifier: MIT */
/*
 * Page tables. The first X86_LOW_MAP bytes (kernel image, low memory) use
 * 4 KiB pages so each section gets its own permissions; the rest of RAM
 * below 4 GiB uses 2 MiB pages. Upper levels are user-accessible so that
 * the leaf U bit alone decides what a user task may touch.
 */
#include <irqvm/abi.h>

#include "kstring.h"
#include "paging.h"
#include "panic.h"
#include "percpu.h"
#include "sections.h"
#include "x86.h"

#define X86_LOW_MAP (4ull << 20)
#define NR_LOW_PTS (X86_LOW_MAP >> 21)
#define MAP_LIMIT (4ull << 30)
#define SZ_2M (2ull << 20)

static uint64_t pml4[512] __aligned(4096);
static uint64_t pdpt[512] __aligned(4096);
static uint64_t pd[4][512] __aligned(4096);
static uint64_t low_pt[NR_LOW_PTS][512] __aligned(4096);

uint64_t x86_kernel_cr3;

static bool is_ram(const struct boot_params *bp, uint64_t a)
{
	for (unsigned int i = 0; i < bp->nr_mem_regions; i++)
		if (a >= bp->mem[i].base && a - bp->mem[i].base < bp->mem[i].size)
			return true;
	return false;
}

/* Set the leaves for [start, end) in the 4 KiB-page low map. Written as
 * plain range loops: at ~1 us per emulated instruction, per-page
 * classification of all 1024 pages would cost tens of milliseconds. */
static void map_low_range(uint64_t start, uint64_t end, uint64_t flags)
{
	if (end > X86_LOW_MAP)
		end = X86_LOW_MAP;
	for (uint64_t a = ALIGN_DOWN(start, 4096); a < end; a += 4096)
		low_pt[a >> 21][(a >> 12) & 511] = a | flags;
}

static void map_low(const struct boot_params *bp)
{
	for (unsigned int i = 0; i < bp->nr_mem_regions; i++)
		map_low_range(bp->mem[i].base, bp->mem[i].base + bp->mem[i].size,
			      PTE_P | PTE_W | PTE_NX);
	/* Page 0 stays unmapped so NULL dereferences fault. */
	map_low_range(0, 4096, 0);
	map_low_range((uint64_t)__kernel_start, (uint64_t)__text_end, PTE_P);
	map_low_range((uint64_t)__text_end, (uint64_t)__rodata_end, PTE_P | PTE_NX);
	map_low_range((uint64_t)__user_text_start, (uint64_t)__user_text_end, PTE_P | PTE_U);
	map_low_range((uint64_t)__user_data_start, (uint64_t)__user_data_end,
		      PTE_P | PTE_W | PTE_U | PTE_NX);
	map_low_range((uint64_t)user_stack, (uint64_t)user_stack_end,
		      PTE_P | PTE_W | PTE_U | PTE_NX);
	map_low_range((uint64_t)guard_page, (uint64_t)guard_page + 4096, 0);
	for (unsigned int cpu = 0; cpu < X86_MAX_CPUS; cpu++) {
		uint64_t s = (uint64_t)cpu_stack_block(cpu);

		map_low_range(s + X86_STACK_GUARD0, s + X86_STACK_GUARD0 + 4096, 0);
		map_low_range(s + X86_STACK_GUARD1, s + X86_STACK_GUARD1 + 4096, 0);
	}
}

void paging_init(const struct boot_params *bp)
{
	const uint64_t table = PTE_P | PTE_W | PTE_U;

	if ((uint64_t)__kernel_end > X86_LOW_MAP)
		panic("kernel image ends at %#lx, beyond the 4 KiB-page map (%#llx)",
		      (unsigned long)(uint64_t)__kernel_end, X86_LOW_MAP);

	pml4[0] = (uint64_t)pdpt | table;
	for (unsigned int i = 0; i < 4; i++)
		pdpt[i] = (uint64_t)pd[i] | table;
	for (unsigned int i = 0; i < NR_LOW_PTS; i++)
		pd[0][i] = (uint64_t)low_pt[i] | table;
	map_low(bp);
	for (uint64_t a = X86_LOW_MAP; a < MAP_LIMIT; a += SZ_2M) {
		uint64_t *e = &pd[a >> 30][(a >> 21) & 511];

		if (is_ram(bp, a))
			*e = a | PTE_P | PTE_W | PTE_PS | PTE_NX;
		else if (a == ALIGN_DOWN(IRQVM_X86_IOAPIC_GPA, SZ_2M) ||
			 a == ALIGN_DOWN(IRQVM_X86_LAPIC_GPA, SZ_2M))
			*e = a | PTE_P | PTE_W | PTE_PS | PTE_NX | PTE_PCD | PTE_PWT;
	}

	x86_kernel_cr3 = (uint64_t)pml4;
	write_cr3(x86_kernel_cr3);
}

static uint64_t *leaf_entry(uint64_t va, uint64_t *size)
{
	uint64_t *e;

	if (va >= MAP_LIMIT)
		return NULL;
	e = &pd[va >> 30][(va >> 21) & 511];
	if ((*e & PTE_P) && (*e & PTE_PS)) {
		*size = SZ_2M;
		return e;
	}
	if (va >= X86_LOW_MAP)
		return NULL;
	*size = 4096;
	return &low_pt[va >> 21][(va >> 12) & 511];
}

uint64_t paging_lookup(uint64_t va, uint64_t *size)
{
	uint64_t sz = 0, *e = leaf_entry(va, &sz);

	if (size)
		*size = sz;
	return e && (*e & PTE_P) ? (*e & ~PTE_ADDR_MASK) : 0;
}

bool paging_set_flags(uint64_t va, uint64_t set, uint64_t clear)
{
	uint64_t sz = 0, *e = leaf_entry(va, &sz);

	if (!e || sz != 4096)
		return false;
	*e = (*e & ~clear) | set;
	invlpg(va);
	return true;
}
