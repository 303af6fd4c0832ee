/* SPDX-License-Identifier: MIT */
/*
 * RISC-V vCPUs: SBI extensions, boot registers, secondary harts, the
 * external interrupt line, register dumps.
 *
 * Boot protocol (the one Linux and OpenSBI's next stage use): the boot hart
 * (vCPU 0) starts in S-mode with the MMU off at the kernel's ELF entry,
 * a0 = its hart id (0), a1 = guest-physical address of the device tree.
 * The other harts start in the STOPPED state; the guest starts them with
 * SBI HSM hart_start, which KVM implements, and each starts with a0 = its
 * hart id and a1 = the opaque argument of that call.
 */
#include "vmm/arch/riscv/riscv.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/core/arch.h"
#include "vmm/core/log.h"

#define GPR_A0 10u
#define GPR_A1 11u
#define GPR_SP 2u

static uint64_t sbi_ext_reg(unsigned ext)
{
	return riscv_reg_id(KVM_REG_RISCV_SBI_EXT | KVM_REG_RISCV_SBI_SINGLE, ext);
}

/*
 * KVM forwards the Debug Console extension to userspace but leaves it
 * disabled by default (it is "default_disabled" in Linux 6.12's
 * vcpu_sbi_replace.c); enable it so guests find it with sbi_probe_extension.
 * Kernels before 6.8 do not know it: then guests use the legacy putchar.
 */
static bool enable_dbcn(struct vcpu *vcpu)
{
	if (riscv_set_reg(vcpu->fd, sbi_ext_reg(KVM_RISCV_SBI_EXT_DBCN), 1) == 0)
		return true;
	log_debug("vCPU %u: cannot enable SBI DBCN: %s", vcpu->index, strerror(errno));
	return false;
}

/* KVM itself powers off every vCPU but the first (kvm_arch_vcpu_postcreate
 * in Linux 5.16+); make sure of it on any kernel. */
static int stop_secondary(struct vcpu *vcpu, char *err, size_t errlen)
{
	struct kvm_mp_state mp;
	if (ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp) == 0 && mp.mp_state == KVM_MP_STATE_STOPPED)
		return 0;
	mp.mp_state = KVM_MP_STATE_STOPPED;
	if (ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp) < 0) {
		snprintf(err, errlen, "KVM_SET_MP_STATE(STOPPED) on vCPU %u: %s", vcpu->index,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int set_boot_regs(struct vcpu *vcpu, uint64_t pc, uint64_t a0, uint64_t a1, uint64_t sp)
{
	if (riscv_set_reg(vcpu->fd, riscv_core_reg(0), pc) < 0 ||
	    riscv_set_reg(vcpu->fd, riscv_core_reg(GPR_A0), a0) < 0 ||
	    riscv_set_reg(vcpu->fd, riscv_core_reg(GPR_A1), a1) < 0 ||
	    riscv_set_reg(vcpu->fd, riscv_core_reg(GPR_SP), sp) < 0)
		return -1;
	return riscv_set_reg(vcpu->fd, riscv_reg_id(KVM_REG_RISCV_CORE,
						    KVM_REG_RISCV_CORE_REG(mode)),
			     KVM_RISCV_MODE_S);
}

int arch_vcpu_init(struct vcpu *vcpu, char *err, size_t errlen)
{
	struct riscv_vm *r = riscv_vm_of(vcpu->vm);
	vcpu->arch = &r->vcpus[vcpu->index];

	/* SBI extensions can only change before the vCPU first runs. */
	bool dbcn = enable_dbcn(vcpu);
	if (vcpu->index == 0)
		r->dbcn = dbcn;
	if (vcpu->index != 0)
		return stop_secondary(vcpu, err, errlen);

	if (riscv_fdt_setup(vcpu, err, errlen) < 0)
		return -1;
	if (set_boot_regs(vcpu, r->kernel.entry, 0, r->fdt_gpa, 0) < 0) {
		snprintf(err, errlen, "setting the boot registers of vCPU 0: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* A start request from irqvm itself (the neutral core's vcpu_request_start);
 * guests use SBI HSM instead, which never comes here. */
int arch_vcpu_start(struct vcpu *vcpu)
{
	struct vcpu_start s;
	pthread_mutex_lock(&vcpu->lock);
	s = vcpu->start;
	pthread_mutex_unlock(&vcpu->lock);
	if (set_boot_regs(vcpu, s.pc, vcpu->index, s.arg, s.sp) < 0) {
		log_error("vCPU %u: cannot set start registers: %s", vcpu->index, strerror(errno));
		return -1;
	}
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	if (ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp) < 0) {
		log_error("vCPU %u: KVM_SET_MP_STATE(RUNNABLE): %s", vcpu->index, strerror(errno));
		return -1;
	}
	return 0;
}

int riscv_set_external_irq(struct vm *vm, unsigned hart, bool level)
{
	if (hart >= vm->nr_vcpus)
		return -1;
	struct riscv_vm *r = riscv_vm_of(vm);
	atomic_store(&r->vcpus[hart].seip_wanted, level);
	vcpu_request(&vm->vcpus[hart], VCPU_REQ_IRQ);
	return 0;
}

/* KVM_INTERRUPT on RISC-V raises or lowers only the supervisor external
 * interrupt (api.rst 4.16); it must come from the vCPU's own thread. */
unsigned arch_vcpu_counters(const struct vcpu *vcpu, struct arch_vcpu_counter *out, unsigned max)
{
	const struct arch_vcpu_counter c[] = {
		{ "MMIO", vcpu_counter(&vcpu->stats.mmio_exits), false, true },
		{ "SEIP injections", vcpu_counter(&vcpu->stats.arch[RISCV_CNT_SEIP_INJECTIONS]), true, false },
	};
	unsigned n = 0;
	for (; n < max && n < sizeof(c) / sizeof(c[0]); n++)
		out[n] = c[n];
	return n;
}

/* No hint, as before: Zihintpause (pause) is not part of rv64gc, the cross
 * compiler's default target. */
void arch_cpu_relax(void)
{
}

/* RISC-V has no NMI a hypervisor can inject (KVM has no KVM_NMI here): the
 * request is refused and, as before, counted as failed with a warning. */
int arch_vcpu_inject_nmi(struct vcpu *vcpu, char *err, size_t errlen)
{
	(void)vcpu;
	snprintf(err, errlen, "NMI: not supported on riscv64 (KVM has no KVM_NMI there)");
	return -1;
}

void arch_vcpu_pre_run(struct vcpu *vcpu)
{
	struct riscv_vcpu *rv = vcpu->arch;
	bool want = atomic_load(&rv->seip_wanted);
	if (want == rv->seip_applied)
		return;
	struct kvm_interrupt irq = { .irq = want ? KVM_INTERRUPT_SET : KVM_INTERRUPT_UNSET };
	if (ioctl(vcpu->fd, KVM_INTERRUPT, &irq) < 0) {
		log_error("vCPU %u: KVM_INTERRUPT(%s): %s", vcpu->index, want ? "set" : "unset",
			  strerror(errno));
		return; /* retried before the next entry */
	}
	rv->seip_applied = want;
	if (want)
		vcpu_count(&vcpu->stats.arch[RISCV_CNT_SEIP_INJECTIONS]);
}

void arch_vcpu_dump(struct vcpu *vcpu, FILE *out)
{
	static const char *const names[32] = {
		"pc", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
		"a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
		"s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
	};
	static const struct { const char *name; uint64_t index; } csrs[] = {
		{ "sstatus", KVM_REG_RISCV_CSR_REG(sstatus) }, { "sie", KVM_REG_RISCV_CSR_REG(sie) },
		{ "sip", KVM_REG_RISCV_CSR_REG(sip) }, { "stvec", KVM_REG_RISCV_CSR_REG(stvec) },
		{ "sepc", KVM_REG_RISCV_CSR_REG(sepc) }, { "scause", KVM_REG_RISCV_CSR_REG(scause) },
		{ "stval", KVM_REG_RISCV_CSR_REG(stval) }, { "satp", KVM_REG_RISCV_CSR_REG(satp) },
	};
	uint64_t v, mode;
	fprintf(out, "vCPU %u registers:\n", vcpu->index);
	for (unsigned i = 0; i < 32; i++) {
		if (riscv_get_reg(vcpu->fd, riscv_core_reg(i), &v) < 0) {
			fprintf(out, "  (registers unavailable: %s)\n", strerror(errno));
			return;
		}
		fprintf(out, "  %-4s=%016llx%s", names[i], (unsigned long long)v,
			i % 4 == 3 ? "\n" : "");
	}
	if (riscv_get_reg(vcpu->fd, riscv_reg_id(KVM_REG_RISCV_CORE,
						 KVM_REG_RISCV_CORE_REG(mode)), &mode) == 0)
		fprintf(out, "  mode=%s\n", mode == KVM_RISCV_MODE_S ? "S" : "U");
	for (size_t i = 0; i < sizeof(csrs) / sizeof(csrs[0]); i++) {
		if (riscv_get_reg(vcpu->fd, riscv_reg_id(KVM_REG_RISCV_CSR | KVM_REG_RISCV_CSR_GENERAL,
							 csrs[i].index), &v) == 0)
			fprintf(out, "  %-7s=%016llx%s", csrs[i].name, (unsigned long long)v,
				i % 4 == 3 ? "\n" : "");
	}
}

void arch_vcpu_destroy(struct vcpu *vcpu)
{
	vcpu->arch = NULL;
}
