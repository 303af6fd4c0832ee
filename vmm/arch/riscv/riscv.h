/* SPDX-License-Identifier: MIT */
/* RISC-V back end of the VMM: private state shared by vmm/arch/riscv/ files. */
#ifndef IRQVM_ARCH_RISCV_H
#define IRQVM_ARCH_RISCV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/arch/riscv/riscv_layout.h"
#include "vmm/core/elf_loader.h"
#include "vmm/core/fdt.h"
#include "vmm/core/fdt_riscv.h"
#include "vmm/core/vm.h"

struct riscv_vcpu {
	/* Supervisor external interrupt line of this hart as the platform
	 * interrupt controller drives it (riscv_set_external_irq), and what
	 * the vCPU thread last told KVM (KVM_INTERRUPT). */
	_Atomic bool seip_wanted;
	bool seip_applied;
};

/* RISC-V's per-vCPU counters in vcpu->stats.arch[] (named by arch_vcpu_counters). */
enum riscv_vcpu_counter {
	RISCV_CNT_SEIP_INJECTIONS, /* KVM_INTERRUPT calls (SEIP set or cleared) */
	RISCV_NR_CNT
};
_Static_assert(RISCV_NR_CNT <= VCPU_ARCH_COUNTERS, "vcpu_stats.arch[] is too small");

struct riscv_stats {
	_Atomic uint64_t sbi_console;     /* console calls served */
	_Atomic uint64_t sbi_unsupported; /* forwarded calls answered NOT_SUPPORTED */
	_Atomic uint64_t csr_exits;       /* KVM_EXIT_RISCV_CSR, answered as read-zero */
};

struct riscv_vm {
	struct elf_load_info kernel;
	const char *dump_dtb;       /* --dump-dtb FILE, or NULL */
	struct fdt_registry fdt_reg;
	struct fdt_riscv_board board;
	const char *isa_exts[FDT_RISCV_MAX_EXTS];
	uint64_t fdt_gpa;
	uint32_t fdt_size;
	bool dbcn;                  /* SBI DBCN enabled in KVM (forwarded to us) */
	struct riscv_stats stats;
	struct riscv_vcpu vcpus[IRQVM_MAX_VCPUS];
};

static inline struct riscv_vm *riscv_vm_of(struct vm *vm)
{
	return vm->arch;
}

/* riscv_regs.c: KVM_{GET,SET}_ONE_REG on XLEN-sized (64-bit) registers. */
uint64_t riscv_reg_id(uint64_t type, uint64_t index);
uint64_t riscv_core_reg(unsigned gpr); /* x0..x31 by number; 0 means pc */
int riscv_get_reg(int vcpu_fd, uint64_t id, uint64_t *value);
int riscv_set_reg(int vcpu_fd, uint64_t id, uint64_t value);

/* riscv_devices.c: the board's devices and their device tree nodes. */
int riscv_devices_create(struct vm *vm, char *err, size_t errlen);

/* riscv_fdt.c: read the hart description from vCPU 0, build the device
 * tree, place it in RAM (and write --dump-dtb). */
int riscv_fdt_setup(struct vcpu *boot_vcpu, char *err, size_t errlen);

/*
 * For the platform interrupt controller models (PLIC, APLIC in userspace):
 * drive HART's supervisor external interrupt (SEIP). Thread-safe: the
 * hart's own vCPU thread applies it with KVM_INTERRUPT before it next
 * enters the guest. Returns -1 for a hart that does not exist.
 */
int riscv_set_external_irq(struct vm *vm, unsigned hart, bool level);

#endif
