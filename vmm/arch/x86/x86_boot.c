/* SPDX-License-Identifier: MIT */
/*
 * Long-mode boot state built by the VMM (include/irqvm/abi.h has the
 * contract): identity page tables for the low 4 GiB, a boot GDT with a
 * 64-bit code segment, a data segment and a TSS, and the register state
 * every vCPU starts in.
 */
#include "vmm/arch/x86/x86.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7)

#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_PGE (1ull << 7)
#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

#define BOOT_TSS_GPA (IRQVM_X86_GDT_GPA + 0x800)

int x86_write_boot_tables(struct vm *vm, char *err, size_t errlen)
{
	/* GDT: null, 0x08 code64 (P, DPL0, S, type=exec/read, L, G), 0x10 data
	 * (P, S, type=read/write, D/B, G), 0x18 64-bit TSS (16-byte descriptor). */
	uint64_t gdt[5] = {
		0,
		0x00af9a000000ffffull,
		0x00cf92000000ffffull,
		0, 0,
	};
	uint64_t tss_base = BOOT_TSS_GPA, tss_limit = 0x67;
	gdt[3] = (tss_limit & 0xffff) | ((tss_base & 0xffffff) << 16) | (0x89ull << 40) |
		 (((tss_limit >> 16) & 0xf) << 48) | (((tss_base >> 24) & 0xff) << 56);
	gdt[4] = tss_base >> 32;

	/* Identity map [0, 4 GiB) with 2 MiB pages: PML4[0] -> PDPT, PDPT[0..3] -> 4 PDs. */
	uint64_t pml4[512] = { IRQVM_X86_PDPT_GPA | PTE_P | PTE_RW };
	uint64_t pdpt[512] = { 0 };
	for (unsigned i = 0; i < 4; i++)
		pdpt[i] = (IRQVM_X86_PD_GPA + i * 0x1000ull) | PTE_P | PTE_RW;
	if (vm_write_gpa(vm, IRQVM_X86_GDT_GPA, gdt, sizeof(gdt)) < 0 ||
	    vm_write_gpa(vm, IRQVM_X86_PML4_GPA, pml4, sizeof(pml4)) < 0 ||
	    vm_write_gpa(vm, IRQVM_X86_PDPT_GPA, pdpt, sizeof(pdpt)) < 0)
		goto too_small;
	for (unsigned i = 0; i < 4; i++) {
		uint64_t pd[512];
		for (unsigned j = 0; j < 512; j++)
			pd[j] = ((uint64_t)i << 30 | (uint64_t)j << 21) | PTE_P | PTE_RW | PTE_PS;
		if (vm_write_gpa(vm, IRQVM_X86_PD_GPA + i * 0x1000ull, pd, sizeof(pd)) < 0)
			goto too_small;
	}
	uint8_t tss[0x68] = { 0 };
	tss[0x66] = sizeof(tss); /* I/O map base beyond the limit: no I/O bitmap */
	if (vm_write_gpa(vm, BOOT_TSS_GPA, tss, sizeof(tss)) < 0)
		goto too_small;
	return 0;
too_small:
	snprintf(err, errlen, "guest RAM too small for the boot tables");
	return -1;
}

static struct kvm_segment code_segment(void)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = 0x08, .type = 0xb, .present = 1,
		.dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
	};
}

static struct kvm_segment data_segment(void)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = 0x10, .type = 0x3, .present = 1,
		.dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
}

int x86_set_long_mode(struct vcpu *vcpu, uint64_t rip, uint64_t rsp, uint64_t rdi, uint64_t rsi)
{
	struct kvm_sregs sregs;
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return -1;
	sregs.cs = code_segment();
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data_segment();
	sregs.tr = (struct kvm_segment){
		.base = BOOT_TSS_GPA, .limit = 0x67, .selector = 0x18, .type = 0xb, .present = 1,
		.s = 0,
	};
	sregs.ldt = (struct kvm_segment){ .type = 0x2, .present = 1, .unusable = 1 };
	sregs.gdt.base = IRQVM_X86_GDT_GPA;
	sregs.gdt.limit = 5 * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0; /* any exception before the guest loads its IDT is a triple fault */
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.cr3 = IRQVM_X86_PML4_GPA;
	sregs.cr4 = CR4_PAE | CR4_PGE;
	sregs.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return -1;

	struct kvm_regs regs = {
		.rip = rip, .rsp = rsp, .rdi = rdi, .rsi = rsi, .rflags = 0x2,
	};
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		return -1;
	return 0;
}

int x86_write_boot_info(struct vm *vm, const struct elf_load_info *kernel, char *err, size_t errlen)
{
	const struct vm_config *cfg = vm->cfg;
	struct x86_vm *x = vm->arch;
	struct irqvm_boot_info info = {
		.magic = IRQVM_BOOT_MAGIC,
		.version = IRQVM_BOOT_VERSION,
		.size = sizeof(info),
		.nr_cpus = vm->nr_vcpus,
		.mem_size = cfg->memory_bytes,
		.nr_mem_regions = vm->nr_ram,
		.irqchip = cfg->irqchip == CFG_IRQCHIP_KERNEL ? IRQVM_IRQCHIP_KERNEL : IRQVM_IRQCHIP_SPLIT,
		.cmdline_gpa = IRQVM_X86_CMDLINE_GPA,
		.cmdline_len = (uint32_t)strlen(cfg->cmdline),
		.devices = x->devices,
		.host_flags = vm->host_flags,
		.tsc_khz = x->tsc_khz,
		.kernel_end_gpa = kernel->end_gpa,
		.platform = x->host.platform,
		.kvm_module = x->host.module,
	};
	for (unsigned i = 0; i < vm->nr_ram; i++)
		info.mem[i] = (struct irqvm_mem_region){ vm->ram[i].gpa, vm->ram[i].size };
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		info.apic_ids[i] = i;
	if (info.cmdline_len >= IRQVM_X86_CMDLINE_MAX) {
		snprintf(err, errlen, "command line longer than %u bytes", IRQVM_X86_CMDLINE_MAX - 1);
		return -1;
	}
	if (vm_write_gpa(vm, IRQVM_X86_CMDLINE_GPA, cfg->cmdline, info.cmdline_len + 1) < 0 ||
	    vm_write_gpa(vm, IRQVM_X86_BOOTINFO_GPA, &info, sizeof(info)) < 0) {
		snprintf(err, errlen, "guest RAM too small for the boot info");
		return -1;
	}
	return 0;
}
