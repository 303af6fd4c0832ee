/* SPDX-License-Identifier: MIT */
/*
 * The kernel's Sv39 page tables: an identity map of RAM and of the
 * devices with per-section permissions, user pages for the test tasks,
 * unmapped guard pages.
 */
#ifndef RV_PAGING_H
#define RV_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "boot.h"

/* PTE bits (privileged spec 12.4.1) */
#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PERM (PTE_V | PTE_R | PTE_W | PTE_X | PTE_U)

/* Sv39: 39-bit virtual addresses, sign-extended from bit 38. */
#define SV39_VA_BITS 39
#define SV39_USER_TOP (1ull << (SV39_VA_BITS - 1))

/* satp value of the kernel's tables, for the secondary harts. */
extern uint64_t rv_kernel_satp;

/* Build the tables from the memory map and the devices found in the
 * device tree, and switch satp to them (panics if Sv39 is refused). */
void paging_init(const struct boot_params *bp);

/* Leaf entry of va (0 if unmapped); *size gets the page size. */
uint64_t paging_lookup(uint64_t va, uint64_t *size);

/* Map one 4 KiB page where a 4 KiB-page table exists (the low 2 MiB and
 * the kernel's 2 MiB); flushes it locally. */
bool paging_map_page(uint64_t va, uint64_t pa, uint64_t flags);

/* Change the flags of one 4 KiB leaf (tests); flushes it locally. */
bool paging_set_flags(uint64_t va, uint64_t set, uint64_t clear);

#endif /* RV_PAGING_H */
