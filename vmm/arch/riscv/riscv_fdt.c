/* SPDX-License-Identifier: MIT */
/*
 * The device tree of a RISC-V VM: what the hart looks like comes from KVM's
 * view of vCPU 0 (every hart of a KVM VM gets the same ISA unless the VMM
 * changes it, and irqvm does not), the rest from the config and the devices
 * registered in the FDT registry. The blob goes at the top of RAM.
 */
#include "vmm/arch/riscv/riscv.h"

#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/core/log.h"

/* Multi-letter extensions by KVM's id (enum KVM_RISCV_ISA_EXT_ID in the 6.12
 * uapi); single letters come from the config "isa" register instead. */
static const struct { unsigned id; const char *name; } kvm_isa_exts[] = {
	{ KVM_RISCV_ISA_EXT_SVPBMT, "svpbmt" },
	{ KVM_RISCV_ISA_EXT_SSTC, "sstc" },
	{ KVM_RISCV_ISA_EXT_SVINVAL, "svinval" },
	{ KVM_RISCV_ISA_EXT_ZIHINTPAUSE, "zihintpause" },
	{ KVM_RISCV_ISA_EXT_ZICBOM, "zicbom" },
	{ KVM_RISCV_ISA_EXT_ZICBOZ, "zicboz" },
	{ KVM_RISCV_ISA_EXT_ZBB, "zbb" },
	{ KVM_RISCV_ISA_EXT_SSAIA, "ssaia" },
	{ KVM_RISCV_ISA_EXT_SVNAPOT, "svnapot" },
	{ KVM_RISCV_ISA_EXT_ZBA, "zba" },
	{ KVM_RISCV_ISA_EXT_ZBS, "zbs" },
	{ KVM_RISCV_ISA_EXT_ZICNTR, "zicntr" },
	{ KVM_RISCV_ISA_EXT_ZICSR, "zicsr" },
	{ KVM_RISCV_ISA_EXT_ZIFENCEI, "zifencei" },
	{ KVM_RISCV_ISA_EXT_ZIHPM, "zihpm" },
	{ KVM_RISCV_ISA_EXT_SMSTATEEN, "smstateen" },
	{ KVM_RISCV_ISA_EXT_ZICOND, "zicond" },
	{ KVM_RISCV_ISA_EXT_ZBC, "zbc" },
	{ KVM_RISCV_ISA_EXT_ZBKB, "zbkb" },
	{ KVM_RISCV_ISA_EXT_ZBKC, "zbkc" },
	{ KVM_RISCV_ISA_EXT_ZBKX, "zbkx" },
	{ KVM_RISCV_ISA_EXT_ZKND, "zknd" },
	{ KVM_RISCV_ISA_EXT_ZKNE, "zkne" },
	{ KVM_RISCV_ISA_EXT_ZKNH, "zknh" },
	{ KVM_RISCV_ISA_EXT_ZKR, "zkr" },
	{ KVM_RISCV_ISA_EXT_ZKSED, "zksed" },
	{ KVM_RISCV_ISA_EXT_ZKSH, "zksh" },
	{ KVM_RISCV_ISA_EXT_ZKT, "zkt" },
	{ KVM_RISCV_ISA_EXT_ZVBB, "zvbb" },
	{ KVM_RISCV_ISA_EXT_ZVBC, "zvbc" },
	{ KVM_RISCV_ISA_EXT_ZVKB, "zvkb" },
	{ KVM_RISCV_ISA_EXT_ZVKG, "zvkg" },
	{ KVM_RISCV_ISA_EXT_ZVKNED, "zvkned" },
	{ KVM_RISCV_ISA_EXT_ZVKNHA, "zvknha" },
	{ KVM_RISCV_ISA_EXT_ZVKNHB, "zvknhb" },
	{ KVM_RISCV_ISA_EXT_ZVKSED, "zvksed" },
	{ KVM_RISCV_ISA_EXT_ZVKSH, "zvksh" },
	{ KVM_RISCV_ISA_EXT_ZVKT, "zvkt" },
	{ KVM_RISCV_ISA_EXT_ZFH, "zfh" },
	{ KVM_RISCV_ISA_EXT_ZFHMIN, "zfhmin" },
	{ KVM_RISCV_ISA_EXT_ZIHINTNTL, "zihintntl" },
	{ KVM_RISCV_ISA_EXT_ZVFH, "zvfh" },
	{ KVM_RISCV_ISA_EXT_ZVFHMIN, "zvfhmin" },
	{ KVM_RISCV_ISA_EXT_ZFA, "zfa" },
	{ KVM_RISCV_ISA_EXT_ZTSO, "ztso" },
	{ KVM_RISCV_ISA_EXT_ZACAS, "zacas" },
	{ KVM_RISCV_ISA_EXT_SSCOFPMF, "sscofpmf" },
	{ KVM_RISCV_ISA_EXT_ZIMOP, "zimop" },
	{ KVM_RISCV_ISA_EXT_ZCA, "zca" },
	{ KVM_RISCV_ISA_EXT_ZCB, "zcb" },
	{ KVM_RISCV_ISA_EXT_ZCD, "zcd" },
	{ KVM_RISCV_ISA_EXT_ZCF, "zcf" },
	{ KVM_RISCV_ISA_EXT_ZCMOP, "zcmop" },
	{ KVM_RISCV_ISA_EXT_ZAWRS, "zawrs" },
};

static uint64_t config_reg(uint64_t index)
{
	return riscv_reg_id(KVM_REG_RISCV_CONFIG, index);
}

/* Fill board->isa_* from vCPU 0. The config "isa" register is required;
 * extension registers a kernel does not know (ENOENT) are simply absent. */
static int read_isa(struct vcpu *vcpu, struct riscv_vm *r, char *err, size_t errlen)
{
	struct fdt_riscv_board *b = &r->board;
	uint64_t isa;
	if (riscv_get_reg(vcpu->fd, config_reg(KVM_REG_RISCV_CONFIG_REG(isa)), &isa) < 0) {
		snprintf(err, errlen, "reading the ISA of vCPU 0 (KVM_GET_ONE_REG config.isa): %s",
			 strerror(errno));
		return -1;
	}
	b->isa_letters = (uint32_t)(isa & ((1u << 26) - 1));
	b->nr_isa_exts = 0;
	for (size_t i = 0; i < sizeof(kvm_isa_exts) / sizeof(kvm_isa_exts[0]); i++) {
		uint64_t on = 0;
		uint64_t id = riscv_reg_id(KVM_REG_RISCV_ISA_EXT | KVM_REG_RISCV_ISA_SINGLE,
					   kvm_isa_exts[i].id);
		if (riscv_get_reg(vcpu->fd, id, &on) == 0 && on &&
		    b->nr_isa_exts < FDT_RISCV_MAX_EXTS)
			r->isa_exts[b->nr_isa_exts++] = kvm_isa_exts[i].name;
	}
	b->isa_exts = r->isa_exts;

	uint64_t v;
	/* satp_mode: readable since Linux 6.4; older kernels: assume Sv39,
	 * which every RV64 host with an MMU offers. */
	b->satp_mode = riscv_get_reg(vcpu->fd, config_reg(KVM_REG_RISCV_CONFIG_REG(satp_mode)),
				     &v) == 0 ? (unsigned)v : 8;
	bool has_cbom = false, has_cboz = false;
	for (unsigned i = 0; i < b->nr_isa_exts; i++) {
		has_cbom |= !strcmp(r->isa_exts[i], "zicbom");
		has_cboz |= !strcmp(r->isa_exts[i], "zicboz");
	}
	b->cbom_block_size = 0;
	b->cboz_block_size = 0;
	if (has_cbom && riscv_get_reg(vcpu->fd, config_reg(
			KVM_REG_RISCV_CONFIG_REG(zicbom_block_size)), &v) == 0)
		b->cbom_block_size = (uint32_t)v;
	if (has_cboz && riscv_get_reg(vcpu->fd, config_reg(
			KVM_REG_RISCV_CONFIG_REG(zicboz_block_size)), &v) == 0)
		b->cboz_block_size = (uint32_t)v;

	/* The guest's time CSR ticks at the host timebase. */
	uint64_t tid = riscv_reg_id(KVM_REG_RISCV_TIMER, KVM_REG_RISCV_TIMER_REG(frequency));
	if (riscv_get_reg(vcpu->fd, tid, &b->timebase_hz) < 0) {
		snprintf(err, errlen, "reading the timer frequency (KVM_GET_ONE_REG timer.frequency): %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int dump_dtb(const char *path, const void *fdt, uint32_t size, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "--dump-dtb %s: %s", path, strerror(errno));
		return -1;
	}
	const uint8_t *p = fdt;
	size_t left = size;
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "--dump-dtb %s: %s", path, n < 0 ? strerror(errno) : "short write");
			close(fd);
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	if (close(fd) < 0) {
		snprintf(err, errlen, "--dump-dtb %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Where the blob goes: the last 2 MiB-aligned slot of RAM, which must not
 * overlap the kernel image. */
static int place_fdt(struct vm *vm, struct riscv_vm *r, uint32_t size, char *err, size_t errlen)
{
	uint64_t ram_end = vm->ram[0].gpa + vm->ram[0].size;
	uint64_t gpa = (ram_end - size) & ~(uint64_t)(IRQVM_RV_FDT_SLOT - 1);
	if (gpa < vm->ram[0].gpa || (gpa < r->kernel.end_gpa && r->kernel.lowest_gpa < gpa + size)) {
		snprintf(err, errlen, "no room for the device tree at the top of RAM: the kernel "
			 "occupies 0x%llx-0x%llx; give the VM more memory",
			 (unsigned long long)r->kernel.lowest_gpa, (unsigned long long)r->kernel.end_gpa);
		return -1;
	}
	r->fdt_gpa = gpa;
	return 0;
}

int riscv_fdt_setup(struct vcpu *boot_vcpu, char *err, size_t errlen)
{
	struct vm *vm = boot_vcpu->vm;
	struct riscv_vm *r = riscv_vm_of(vm);
	struct fdt_riscv_board *b = &r->board;
	if (read_isa(boot_vcpu, r, err, errlen) < 0)
		return -1;
	b->ram_base = vm->ram[0].gpa;
	b->ram_size = vm->ram[0].size;
	b->nr_harts = vm->nr_vcpus;
	b->xlen = 64;
	b->bootargs = vm->cfg->cmdline;

	void *buf = calloc(1, IRQVM_RV_FDT_MAX_SIZE);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int ret = -1;
	if (fdt_riscv_build(b, &r->fdt_reg, buf, IRQVM_RV_FDT_MAX_SIZE, err, errlen) < 0)
		goto out;
	r->fdt_size = fdt_totalsize(buf);
	if (place_fdt(vm, r, r->fdt_size, err, errlen) < 0)
		goto out;
	if (vm_write_gpa(vm, r->fdt_gpa, buf, r->fdt_size) < 0) {
		snprintf(err, errlen, "cannot write the device tree to 0x%llx",
			 (unsigned long long)r->fdt_gpa);
		goto out;
	}
	if (r->dump_dtb && dump_dtb(r->dump_dtb, buf, r->fdt_size, err, errlen) < 0)
		goto out;
	char isa[FDT_RISCV_ISA_MAX];
	if (fdt_riscv_isa_string(b->xlen, b->isa_letters, b->isa_exts, b->nr_isa_exts, isa,
				 sizeof(isa)) < 0)
		snprintf(isa, sizeof(isa), "?");
	log_info("device tree: %u bytes at 0x%llx; %u hart(s) %s, timebase %llu Hz, satp mode %u",
		 r->fdt_size, (unsigned long long)r->fdt_gpa, b->nr_harts, isa,
		 (unsigned long long)b->timebase_hz, b->satp_mode);
	ret = 0;
out:
	free(buf);
	return ret;
}
