/* SPDX-License-Identifier: MIT */
/* RISC-V VM set-up: KVM checks, RAM layout, devices, kernel, the irqchip hook. */
#include "vmm/arch/riscv/riscv.h"

#include <elf.h>
#include <stdlib.h>

#include "vmm/core/arch.h"
#include "vmm/core/log.h"

const char arch_name[] = "riscv64";

int arch_check_kvm(struct vm *vm, char *err, size_t errlen)
{
	static const struct { long cap; const char *name; } caps[] = {
		{ KVM_CAP_ONE_REG, "KVM_CAP_ONE_REG" },
		{ KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
	};
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (kvm_check_cap(vm, caps[i].cap) <= 0) {
			snprintf(err, errlen, "this KVM lacks %s", caps[i].name);
			return -1;
		}
	}
	return 0;
}

int arch_plan_ram(struct vm *vm, char *err, size_t errlen)
{
	if (vm->cfg->arch != CFG_ARCH_RISCV64) {
		snprintf(err, errlen, "%s: this irqvm runs riscv64 guests; the config asks for %s",
			 vm->cfg->source ? vm->cfg->source : "config",
			 config_arch_name(vm->cfg->arch));
		return -1;
	}
	if (vm->cfg->memory_bytes < 2 * IRQVM_RV_FDT_SLOT) {
		snprintf(err, errlen, "memory size %llu bytes is too small",
			 (unsigned long long)vm->cfg->memory_bytes);
		return -1;
	}
	/* One region from 0x80000000; the config caps it at 4 GiB. */
	vm->ram[0] = (struct guest_ram_region){ .gpa = IRQVM_RV_RAM_BASE,
						.size = vm->cfg->memory_bytes };
	vm->nr_ram = 1;
	return 0;
}

/*
 * The platform interrupt controller. The userspace PLIC ("plic") and the
 * in-kernel AIA ("aia") come with later work; until then no interrupt line
 * reaches a hart: the line layer has no backend (every line reports "no
 * such line"), device tree nodes carry no "interrupts" (Linux polls the
 * UART), and timer and software interrupts work as always through SBI TIME
 * and IPI in KVM. A model plugs in here: irq_lines_set_backend() for the
 * lines, fdt_registry_add() + fdt_registry_set_irq_parent() for its node,
 * riscv_set_external_irq() for its outputs (the "interrupts-extended" of
 * a PLIC context names board.cpu_intc_phandle[hart] with cause 9, SEI).
 */
static int irqchip_create(struct vm *vm, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	log_info("irqchip \"%s\": no platform interrupt controller yet; external interrupt "
		 "lines are not connected", config_irqchip_name(vm->cfg->irqchip));
	return 0;
}

int arch_vm_init(struct vm *vm, const struct vm_options *opts, char *err, size_t errlen)
{
	struct riscv_vm *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return IRQVM_EXIT_HOST;
	}
	vm->arch = r;
	r->dump_dtb = opts ? opts->dump_dtb : NULL;
	fdt_registry_init(&r->fdt_reg);
	/* Per-hart interrupt controllers first: they exist on every board. */
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		r->board.cpu_intc_phandle[i] = fdt_registry_alloc_phandle(&r->fdt_reg);

	if (irqchip_create(vm, err, errlen) < 0)
		return IRQVM_EXIT_HOST;
	if (riscv_devices_create(vm, err, errlen) < 0)
		return IRQVM_EXIT_HOST;

	struct elf_ram_view ram = { .gpa_base = vm->ram[0].gpa, .host = vm->ram[0].host,
				    .size = vm->ram[0].size };
	if (elf_load_file(vm->cfg->kernel_path, EM_RISCV, &ram, IRQVM_RV_RAM_BASE, &r->kernel,
			  err, errlen) < 0)
		return IRQVM_EXIT_CONFIG; /* the user's kernel file is unusable */
	log_info("kernel %s: entry 0x%llx, loaded 0x%llx-0x%llx", vm->cfg->kernel_path,
		 (unsigned long long)r->kernel.entry, (unsigned long long)r->kernel.lowest_gpa,
		 (unsigned long long)r->kernel.end_gpa);
	return 0;
}

int arch_vm_start(struct vm *vm, char *err, size_t errlen)
{
	struct riscv_vm *r = riscv_vm_of(vm);
	(void)err;
	(void)errlen;
	log_info("host paths: SBI console %s, %s", r->dbcn ? "legacy + DBCN" : "legacy only",
		 "secondary harts started by SBI HSM in KVM");
	return 0;
}

void arch_vm_destroy(struct vm *vm)
{
	struct riscv_vm *r = riscv_vm_of(vm);
	if (!r)
		return;
	uint64_t unsupported = atomic_load(&r->stats.sbi_unsupported);
	if (unsupported || atomic_load(&r->stats.csr_exits))
		log_info("SBI: %llu console calls, %llu unsupported calls answered "
			 "NOT_SUPPORTED; %llu CSR exits",
			 (unsigned long long)atomic_load(&r->stats.sbi_console),
			 (unsigned long long)unsupported,
			 (unsigned long long)atomic_load(&r->stats.csr_exits));
	free(r);
	vm->arch = NULL;
}
