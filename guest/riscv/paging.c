/* SPDX-License-Identifier: MIT */
/*
 * Sv39 page tables (paging.h). The 2 MiB of RAM that hold the kernel image
 * use 4 KiB pages so each section gets its own permissions; the rest of
 * RAM uses 2 MiB pages, read-write, not executable. Devices are mapped
 * read-write, not executable: those below 2 MiB (exit and test device)
 * with 4 KiB pages so that page 0 stays unmapped and NULL faults, the
 * others with 2 MiB pages. RAM that fills only part of a 2 MiB chunk
 * (memory sizes in odd MiB; the device tree may sit there) gets 4 KiB
 * pages from a small pool of tables. A and D are set in every leaf:
 * hardware need not update them (privileged spec 12.4.1, Svade).
 */
#include "csr.h"
#include "kstring.h"
#include "machine.h"
#include "paging.h"
#include "panic.h"
#include "percpu.h"
#include "sections.h"

#define SZ_2M (2ull << 20)
#define SZ_1G (1ull << 30)
#define RAM_TABLES 4u /* RAM up to 4 GiB: 0x80000000-0x17fffffff */
#define RAM_TOP (RV_RAM_BASE + RAM_TABLES * SZ_1G)
#define RV_RAM_BASE 0x80000000ull

static uint64_t root[512] __aligned(4096);
static uint64_t l1_low[512] __aligned(4096);   /* [0, 1 GiB): devices */
static uint64_t l0_low[512] __aligned(4096);   /* [0, 2 MiB), 4 KiB pages */
static uint64_t l1_ram[RAM_TABLES][512] __aligned(4096);
static uint64_t l0_kernel[512] __aligned(4096); /* the kernel's 2 MiB */
#define PARTIAL_TABLES 4u /* a partial chunk at each end of up to 2 regions */
static uint64_t l0_partial[PARTIAL_TABLES][512] __aligned(4096);
static unsigned int partial_used;

uint64_t rv_kernel_satp;

static uint64_t kernel_chunk;

#define LEAF_RW (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | PTE_G)

static uint64_t pte_table(const void *table)
{
	return ((uint64_t)(uintptr_t)table >> PAGE_SHIFT) << 10 | PTE_V;
}

static uint64_t pte_leaf(uint64_t pa, uint64_t flags)
{
	return (pa >> PAGE_SHIFT) << 10 | flags;
}

/* Leaves for [start, end) in the kernel's 4 KiB-page chunk. */
static void map_kernel_range(uint64_t start, uint64_t end, uint64_t flags)
{
	if (start < kernel_chunk)
		start = kernel_chunk;
	if (end > kernel_chunk + SZ_2M)
		end = kernel_chunk + SZ_2M;
	for (uint64_t a = ALIGN_DOWN(start, (uint64_t)PAGE_SIZE); a < end; a += PAGE_SIZE)
		l0_kernel[(a - kernel_chunk) >> PAGE_SHIFT] = flags ? pte_leaf(a, flags) : 0;
}

/* The l0 table behind a 2 MiB chunk of RAM, made from the pool if the
 * chunk has none yet; NULL if the pool is used up. */
static uint64_t *partial_table(uint64_t chunk)
{
	uint64_t *e = &l1_ram[(chunk - RV_RAM_BASE) / SZ_1G][(chunk >> 21) & 511];

	if (*e & PTE_V)
		return (*e & (PTE_R | PTE_X)) ? NULL : (uint64_t *)(uintptr_t)((*e >> 10) << PAGE_SHIFT);
	if (partial_used == PARTIAL_TABLES)
		return NULL;
	*e = pte_table(l0_partial[partial_used]);
	return l0_partial[partial_used++];
}

static void map_ram(const struct boot_params *bp)
{
	for (unsigned int i = 0; i < bp->nr_mem_regions; i++) {
		uint64_t start = bp->mem[i].base, end = start + bp->mem[i].size;

		if (start < RV_RAM_BASE)
			start = RV_RAM_BASE;
		if (end > RAM_TOP)
			end = RAM_TOP;
		for (uint64_t a = ALIGN_DOWN(start, SZ_2M); a < end; a += SZ_2M) {
			uint64_t *e = &l1_ram[(a - RV_RAM_BASE) / SZ_1G][(a >> 21) & 511], *t;

			if (a == kernel_chunk) {
				*e = pte_table(l0_kernel);
				map_kernel_range(a, a + SZ_2M, LEAF_RW);
			} else if (a >= start && a + SZ_2M <= end) {
				*e = pte_leaf(a, LEAF_RW);
			} else if ((t = partial_table(a))) {
				/* Only the pages that are RAM. */
				for (uint64_t p = a < start ? start : a; p < a + SZ_2M && p < end;
				     p += PAGE_SIZE)
					t[(p - a) >> PAGE_SHIFT] = pte_leaf(p, LEAF_RW);
			}
		}
	}
}

static void map_kernel_sections(void)
{
	map_kernel_range((uintptr_t)__kernel_start, (uintptr_t)__text_end,
			 PTE_V | PTE_R | PTE_X | PTE_A | PTE_G);
	map_kernel_range((uintptr_t)__text_end, (uintptr_t)__rodata_end,
			 PTE_V | PTE_R | PTE_A | PTE_G);
	map_kernel_range((uintptr_t)__user_text_start, (uintptr_t)__user_text_end,
			 PTE_V | PTE_R | PTE_X | PTE_U | PTE_A);
	map_kernel_range((uintptr_t)__user_data_start, (uintptr_t)__user_data_end,
			 PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
	map_kernel_range((uintptr_t)user_stack, (uintptr_t)user_stack_end,
			 PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
	map_kernel_range((uintptr_t)guard_page, (uintptr_t)guard_page + PAGE_SIZE, 0);
	for (unsigned int cpu = 0; cpu < RV_MAX_CPUS; cpu++) {
		uint64_t s = (uintptr_t)cpu_stack_block(cpu);

		map_kernel_range(s + RV_STACK_GUARD0, s + RV_STACK_GUARD0 + PAGE_SIZE, 0);
		map_kernel_range(s + RV_STACK_GUARD1, s + RV_STACK_GUARD1 + PAGE_SIZE, 0);
	}
}

static void map_device(const struct rv_device *d)
{
	if (!d->present || d->base + d->size < d->base || d->base + d->size > SZ_1G)
		return; /* not present, or not where a device of ours can be */
	for (uint64_t a = ALIGN_DOWN(d->base, (uint64_t)PAGE_SIZE); a < d->base + d->size;) {
		if (a < SZ_2M) {
			l0_low[a >> PAGE_SHIFT] = pte_leaf(a, LEAF_RW);
			a += PAGE_SIZE;
		} else {
			a = ALIGN_DOWN(a, SZ_2M);
			l1_low[a >> 21] = pte_leaf(a, LEAF_RW);
			a += SZ_2M;
		}
	}
}

void paging_init(const struct boot_params *bp)
{
	const struct rv_machine *m = &rv_machine;

	kernel_chunk = ALIGN_DOWN((uint64_t)(uintptr_t)__kernel_start, SZ_2M);
	if ((uintptr_t)__kernel_end > kernel_chunk + SZ_2M)
		panic("kernel image ends at %#lx, beyond its 2 MiB of 4 KiB pages",
		      (unsigned long)(uintptr_t)__kernel_end);

	root[0] = pte_table(l1_low);
	l1_low[0] = pte_table(l0_low);
	for (unsigned int i = 0; i < RAM_TABLES; i++)
		root[(RV_RAM_BASE >> 30) + i] = pte_table(l1_ram[i]);
	map_ram(bp);
	map_kernel_sections();
	map_device(&m->exit_dev);
	map_device(&m->uart);
	map_device(&m->testdev);

	rv_kernel_satp = SATP_MODE_SV39 | ((uint64_t)(uintptr_t)root >> PAGE_SHIFT);
	csr_write(satp, rv_kernel_satp);
	sfence_vma_all();
	/* An implementation without Sv39 leaves satp unchanged (privileged
	 * spec 12.1.11: writes of an unsupported MODE have no effect). */
	if (csr_read(satp) != rv_kernel_satp)
		panic("satp refused Sv39 (reads %#lx)", csr_read(satp));
}

static uint64_t *leaf_entry(uint64_t va, uint64_t *size)
{
	uint64_t *table = root;

	/* Sign-extension of bit 38 (12.4.2); our tables use the low half. */
	if (va >= SV39_USER_TOP)
		return NULL;
	for (int level = 2; level >= 0; level--) {
		uint64_t *e = &table[(va >> (PAGE_SHIFT + 9 * level)) & 511];

		if (!(*e & PTE_V))
			return level == 0 ? e : NULL;
		if (*e & (PTE_R | PTE_X)) {
			*size = 1ull << (PAGE_SHIFT + 9 * level);
			return e;
		}
		if (!level)
			return NULL;
		table = (uint64_t *)(uintptr_t)((*e >> 10) << PAGE_SHIFT);
	}
	return NULL;
}

uint64_t paging_lookup(uint64_t va, uint64_t *size)
{
	uint64_t sz = PAGE_SIZE, *e = leaf_entry(va, &sz);

	if (size)
		*size = sz;
	return e && (*e & PTE_V) ? *e : 0;
}

bool paging_set_flags(uint64_t va, uint64_t set, uint64_t clear)
{
	uint64_t sz = PAGE_SIZE, *e = leaf_entry(va, &sz);

	if (!e || sz != PAGE_SIZE)
		return false;
	*e = (*e & ~clear) | set;
	sfence_vma_addr((uintptr_t)va);
	return true;
}

bool paging_map_page(uint64_t va, uint64_t pa, uint64_t flags)
{
	uint64_t sz = PAGE_SIZE, *e = leaf_entry(va, &sz);

	if (!e || sz != PAGE_SIZE)
		return false;
	*e = flags ? pte_leaf(pa, flags) : 0;
	sfence_vma_addr((uintptr_t)va);
	return true;
}
