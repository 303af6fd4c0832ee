/* SPDX-License-Identifier: MIT */
/*
 * The machine description common code sees, filled in by arch_setup() from
 * whatever the architecture's boot protocol provides.
 */
#ifndef GUEST_BOOT_H
#define GUEST_BOOT_H

#include <stdint.h>

#define BOOT_MAX_MEM_REGIONS 4u

struct boot_mem_region {
	uint64_t base;
	uint64_t size;
};

struct boot_params {
	uint64_t mem_size;
	unsigned int nr_mem_regions;
	struct boot_mem_region mem[BOOT_MAX_MEM_REGIONS];
	unsigned int nr_cpus;
	const char *cmdline;   /* never NULL: "" when the VMM gave none */
	uint64_t kernel_start; /* physical extent of the loaded kernel image */
	uint64_t kernel_end;
};

extern struct boot_params boot_params;

/* Entry into common code, called by the architecture's boot path once a
 * stack and the console exist. Runs the selected tests and exits. */
__attribute__((noreturn)) void kernel_main(void);

#endif /* GUEST_BOOT_H */
