/* SPDX-License-Identifier: MIT */
/*
 * The kernel's own page tables: an identity map of RAM with per-section
 * permissions, user pages for the test tasks, unmapped guard pages.
 */
#ifndef X86_PAGING_H
#define X86_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "boot.h"

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

/* Physical address of our PML4, for the APs' entry code. */
extern uint64_t x86_kernel_cr3;

/* Build the tables from the memory map and switch CR3 to them. */
void paging_init(const struct boot_params *bp);

/* Leaf entry flags for va (0 if unmapped); *size gets the page size. */
uint64_t paging_lookup(uint64_t va, uint64_t *size);

/* Change the leaf flags of one 4 KiB page in the low map (tests). */
bool paging_set_flags(uint64_t va, uint64_t set, uint64_t clear);

#endif /* X86_PAGING_H */
