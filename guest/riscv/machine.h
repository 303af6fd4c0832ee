/* SPDX-License-Identifier: MIT */
/*
 * What the kernel learned about the machine at boot: the boot registers,
 * the device tree (copied out, so nothing later depends on the blob) and
 * the SBI implementation.
 */
#ifndef RV_MACHINE_H
#define RV_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "layout.h"

#define RV_ISA_MAX 160
#define RV_CMDLINE_MAX 1024

struct rv_device {
	bool present;
	uint64_t base;
	uint64_t size;
};

struct rv_machine {
	/* Boot registers of the boot hart and the satp it found. */
	uint64_t boot_a0, boot_a1, boot_satp;

	/* Device tree. */
	uint32_t fdt_size, fdt_version;
	uint64_t timebase_hz;
	unsigned int nr_harts;
	uint32_t hartids[RV_MAX_CPUS]; /* cpu index -> hart id, ascending */
	unsigned int cpu_nodes;        /* cpu nodes seen, also beyond RV_MAX_CPUS */
	char isa[RV_ISA_MAX];          /* riscv,isa of the boot hart */
	char mmu_type[24];
	bool has_f, has_d, has_c, has_sstc;
	bool has_bootargs, has_stdout_path;
	struct rv_device exit_dev;     /* sifive,test0 */
	struct rv_device uart;         /* ns16550a */
	struct rv_device testdev;      /* irqvm,testdev */

	/* SBI. */
	long sbi_spec, sbi_impl, sbi_impl_version;
	bool sbi_time, sbi_ipi, sbi_rfence, sbi_hsm, sbi_srst, sbi_dbcn, sbi_legacy_console;

	/* Timer: Sstc's stimecmp is writable here (probed). */
	bool sstc_usable;
};

extern struct rv_machine rv_machine;

/* rv_machine.hartids lookup; RV_MAX_CPUS if the hart id is not ours. */
unsigned int rv_cpu_of_hart(unsigned long hartid);

#endif /* RV_MACHINE_H */
