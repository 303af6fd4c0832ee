/* SPDX-License-Identifier: MIT */
/*
 * The RISC-V part of the interrupt-state dump (vmm/core/irq_dump.h): per hart
 * its pc, privilege mode, mp_state, the interrupt CSRs, and the supervisor
 * external interrupt line irqvm drives. There is no platform interrupt
 * controller model yet (riscv_vm.c), so there are no controller registers.
 */
#include "vmm/arch/riscv/riscv.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/config/config.h"
#include "vmm/core/arch.h"
#include "vmm/core/irq_dump.h"

void arch_irq_dump_chips(struct vm *vm, json_t *dump)
{
	struct riscv_vm *r = riscv_vm_of(vm);
	json_object_set_new(dump, "irqchip_note", json_string(
		"no platform interrupt controller model yet (PLIC/AIA): external lines are not "
		"connected; timer and software interrupts come from SBI TIME/IPI in KVM"));
	json_object_set_new(dump, "irqchip_counters", json_pack("{s:I,s:I,s:I}",
		"sbi_console_calls", (json_int_t)atomic_load(&r->stats.sbi_console),
		"sbi_unsupported_calls", (json_int_t)atomic_load(&r->stats.sbi_unsupported),
		"csr_exits", (json_int_t)atomic_load(&r->stats.csr_exits)));
}

static const char *mp_state_name(uint32_t s)
{
	switch (s) {
	case KVM_MP_STATE_RUNNABLE: return "runnable";
	case KVM_MP_STATE_STOPPED: return "stopped";
	default: return "unknown";
	}
}

json_t *arch_vcpu_irq_state(struct vcpu *vcpu)
{
	static const struct { const char *name; uint64_t index; } csrs[] = {
		{ "sstatus", KVM_REG_RISCV_CSR_REG(sstatus) }, { "sie", KVM_REG_RISCV_CSR_REG(sie) },
		{ "sip", KVM_REG_RISCV_CSR_REG(sip) }, { "stvec", KVM_REG_RISCV_CSR_REG(stvec) },
		{ "scause", KVM_REG_RISCV_CSR_REG(scause) }, { "sepc", KVM_REG_RISCV_CSR_REG(sepc) },
	};
	json_t *o = json_object();
	char err[200] = "";
	struct kvm_mp_state mp;
	if (ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp) == 0)
		json_object_set_new(o, "mp_state", json_string(mp_state_name(mp.mp_state)));
	else
		snprintf(err, sizeof(err), "KVM_GET_MP_STATE: %s", strerror(errno));
	uint64_t v;
	if (riscv_get_reg(vcpu->fd, riscv_core_reg(0), &v) == 0)
		json_object_set_new(o, "pc", irq_dump_hex64(v));
	else if (!*err)
		snprintf(err, sizeof(err), "KVM_GET_ONE_REG(pc): %s", strerror(errno));
	if (riscv_get_reg(vcpu->fd, riscv_reg_id(KVM_REG_RISCV_CORE,
						 KVM_REG_RISCV_CORE_REG(mode)), &v) == 0)
		json_object_set_new(o, "mode", json_string(v == KVM_RISCV_MODE_S ? "S" : "U"));
	json_t *c = json_object();
	for (size_t i = 0; i < sizeof(csrs) / sizeof(csrs[0]); i++)
		if (riscv_get_reg(vcpu->fd, riscv_reg_id(KVM_REG_RISCV_CSR | KVM_REG_RISCV_CSR_GENERAL,
							 csrs[i].index), &v) == 0)
			json_object_set_new(c, csrs[i].name, irq_dump_hex64(v));
	json_object_set_new(o, "csrs", c);
	if (*err)
		json_object_set_new(o, "error", json_string(err));
	struct riscv_vcpu *rv = vcpu->arch;
	json_t *p = json_object();
	if (rv) {
		json_object_set_new(p, "seip_wanted", json_boolean(atomic_load(&rv->seip_wanted)));
		json_object_set_new(p, "seip_applied", json_boolean(rv->seip_applied));
	}
	json_object_set_new(p, "requests", irq_dump_requests_json(atomic_load(&vcpu->requests)));
	json_object_set_new(o, "pending", p);
	const struct vcpu_stats *st = &vcpu->stats;
	json_object_set_new(o, "counters", json_pack("{s:I,s:I,s:I,s:I}",
		"exits", (json_int_t)vcpu_counter(&st->exits),
		"mmio_exits", (json_int_t)vcpu_counter(&st->mmio_exits),
		"seip_injections", (json_int_t)vcpu_counter(&st->arch[RISCV_CNT_SEIP_INJECTIONS]),
		"kicks", (json_int_t)vcpu_counter(&st->kicks)));
	return o;
}
