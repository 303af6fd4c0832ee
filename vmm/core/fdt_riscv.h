/* SPDX-License-Identifier: MIT */
/*
 * The RISC-V board's device tree: root, /memory, /cpus (one cpu node per
 * hart with its riscv,cpu-intc), /chosen, then every registered device
 * (vmm/core/fdt.h). The hart description comes from KVM's vCPU registers
 * (vmm/arch/riscv/riscv_fdt.c gathers it); this file only formats it, so it
 * builds and is unit-tested on any host.
 *
 * Bindings: Documentation/devicetree/bindings/riscv/cpus.yaml and
 * extensions.yaml in Linux 6.12 (riscv,isa, riscv,isa-base,
 * riscv,isa-extensions, mmu-type, riscv,cbo[mz]-block-size),
 * .../interrupt-controller/riscv,cpu-intc.yaml, and the DT spec 0.4
 * (memory, chosen).
 */
#ifndef IRQVM_FDT_RISCV_H
#define IRQVM_FDT_RISCV_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/core/fdt.h"

#define FDT_RISCV_MAX_EXTS 96u    /* multi-letter extensions per hart */
#define FDT_RISCV_ISA_MAX 1024u   /* bytes of the riscv,isa string */

struct fdt_riscv_board {
	uint64_t ram_base, ram_size;
	unsigned nr_harts;                /* 1..FDT_MAX_CPUS */
	uint64_t timebase_hz;             /* /cpus/timebase-frequency; 0 is an error */
	unsigned xlen;                    /* 32 or 64 */
	uint32_t isa_letters;             /* bit n = letter 'a' + n */
	const char *const *isa_exts;      /* multi-letter extensions ("zicsr", "sstc", ...) */
	unsigned nr_isa_exts;
	unsigned satp_mode;               /* satp.MODE: 8 sv39, 9 sv48, 10 sv57; else no mmu-type */
	uint32_t cbom_block_size;         /* 0: property omitted */
	uint32_t cboz_block_size;
	const char *bootargs;             /* NULL or "" : no bootargs property */
	uint32_t cpu_intc_phandle[FDT_MAX_CPUS];
};

/*
 * The riscv,isa string in the ISA manual's canonical order: "rv64" +
 * single letters in the order IMAFDQLCBKJTPVH (other letters after, in
 * alphabetical order) + "_"-separated multi-letter extensions, Z ones
 * first grouped by the single-letter category their second letter names,
 * then S, then X, each group alphabetical (ISA manual, "ISA Extension
 * Naming Conventions"). Returns the length, or -1 if out is too small or
 * an extension name is empty.
 */
int fdt_riscv_isa_string(unsigned xlen, uint32_t letters, const char *const *exts,
			 unsigned nr_exts, char *out, size_t outlen);

/*
 * Build the tree into buf (size bytes; 64 KiB is plenty for 8 harts) and
 * pack it. reg may be NULL (no devices). Returns 0, or -1 with a message.
 */
int fdt_riscv_build(const struct fdt_riscv_board *board, const struct fdt_registry *reg,
		    void *buf, size_t size, char *err, size_t errlen);

#endif
