/* SPDX-License-Identifier: MIT */
/*
 * The x86 part of the interrupt-state dump (vmm/core/irq_dump.h): the PIC pair
 * and the IOAPIC (irqvm's models with irqchip "split", KVM's with
 * "kernel"), and per vCPU its local APIC, RIP/RFLAGS, mp_state, KVM's
 * pending events and what irqvm holds for it.
 */
#include "vmm/arch/x86/x86.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/arch/x86/pagewalk.h"
#include "vmm/arch/x86/x86_lapic_dump.h"
#include "vmm/core/arch.h"
#include "vmm/core/irq_dump.h"

static void dump_split_chips(struct vm *vm, json_t *d)
{
	struct x86_vm *x = vm->arch;
	struct pic8259_snapshot pic;
	struct pic8259_stats pic_stats;
	struct ioapic_snapshot io;
	struct ioapic_stats io_stats;
	unsigned rechecks = 0;
	pthread_mutex_lock(&x->irqchip_lock);
	pic8259_snapshot(&x->pic, &pic);
	pic_stats = *pic8259_stats(&x->pic);
	ioapic_snapshot(&x->ioapic, &io);
	io_stats = *ioapic_stats(&x->ioapic);
	for (unsigned pin = 0; pin < IOAPIC_NUM_PINS; pin++)
		rechecks += x->recheck_at[pin] != 0;
	json_t *counters = json_pack("{s:I,s:I,s:I,s:i}",
		"msi_delivered", (json_int_t)x->msi_delivered,
		"msi_failed", (json_int_t)x->msi_failed,
		"extint_messages_ignored", (json_int_t)x->extint_ignored,
		"recheck_timers_armed", rechecks);
	pthread_mutex_unlock(&x->irqchip_lock);
	json_object_set_new(d, "pic", irq_dump_pic_json(&pic, &pic_stats));
	json_object_set_new(d, "ioapic", irq_dump_ioapic_json(&io, &io_stats));
	json_object_set_new(d, "irqchip_counters", counters);
}

/*
 * KVM's in-kernel PIC state, put into irqvm's model so that the same
 * snapshot (priority resolver included) decodes it. KVM keeps no ICW3 or
 * LTIM: the PC wiring is assumed, as KVM itself does.
 */
static void kvm_pic_to_model(const struct kvm_pic_state *k, bool is_slave,
			     struct pic8259_chip *c)
{
	*c = (struct pic8259_chip){
		.irr = k->irr, .isr = k->isr, .imr = k->imr, .lines = k->last_irr,
		.elcr = k->elcr, .elcr_mask = k->elcr_mask, .icw2 = k->irq_base,
		.icw3 = is_slave ? 2 : 1u << PIC8259_CASCADE_IRQ,
		/* KVM's priority_add is the level with the highest priority. */
		.lowest_priority = (uint8_t)((k->priority_add + 7) & 7),
		.init_step = k->init_state <= 3 ? (enum pic8259_init_step)k->init_state
						: PIC8259_READY,
		.is_slave = is_slave, .ic4 = k->init4, .upm = true, .aeoi = k->auto_eoi,
		.sfnm = k->special_fully_nested_mode, .rotate_in_aeoi = k->rotate_on_auto_eoi,
		.special_mask = k->special_mask, .read_isr = k->read_reg_select, .poll = k->poll,
	};
}

static void dump_kernel_chips(struct vm *vm, json_t *d)
{
	struct kvm_irqchip chip[3] = { { .chip_id = KVM_IRQCHIP_PIC_MASTER },
				       { .chip_id = KVM_IRQCHIP_PIC_SLAVE },
				       { .chip_id = KVM_IRQCHIP_IOAPIC } };
	for (unsigned i = 0; i < 3; i++) {
		if (ioctl(vm->vm_fd, KVM_GET_IRQCHIP, &chip[i]) < 0) {
			char note[160];
			snprintf(note, sizeof(note), "KVM's in-kernel PIC/IOAPIC: KVM_GET_IRQCHIP(%u) "
				 "failed: %s", chip[i].chip_id, strerror(errno));
			json_object_set_new(d, "irqchip_note", json_string(note));
			return;
		}
	}
	struct pic8259 pic = { 0 };
	kvm_pic_to_model(&chip[0].chip.pic, false, &pic.master);
	kvm_pic_to_model(&chip[1].chip.pic, true, &pic.slave);
	struct pic8259_snapshot ps;
	pic8259_snapshot(&pic, &ps);
	ps.output = ps.master.int_output;

	const struct kvm_ioapic_state *k = &chip[2].chip.ioapic;
	struct ioapic io = { .id = k->id, .ioregsel = (uint8_t)k->ioregsel,
			     .broadcast_eoi_trusted = true };
	for (unsigned pin = 0; pin < IOAPIC_NUM_PINS && pin < KVM_IOAPIC_NUM_PINS; pin++) {
		uint64_t rte = k->redirtbl[pin].bits;
		io.pins[pin].rte = rte & (IOAPIC_RTE_WRITABLE | IOAPIC_RTE_REMOTE_IRR);
		/* KVM's irr holds asserted pins (polarity applied): undo it for the line. */
		bool asserted = k->irr & (1u << pin);
		io.pins[pin].line = asserted != !!(rte & IOAPIC_RTE_ACTIVE_LOW);
	}
	struct ioapic_snapshot is;
	ioapic_snapshot(&io, &is);
	json_object_set_new(d, "pic", irq_dump_pic_json(&ps, NULL));
	json_object_set_new(d, "ioapic", irq_dump_ioapic_json(&is, NULL));
	json_object_set_new(d, "irqchip_note", json_string(
		"KVM's in-kernel PIC and IOAPIC (KVM_GET_IRQCHIP), decoded with irqvm's models; "
		"KVM keeps no per-line counters, storm guard or ICW3"));
}

void arch_irq_dump_chips(struct vm *vm, json_t *dump)
{
	struct x86_vm *x = vm->arch;
	json_object_set_new(dump, "host", json_string(x->host.name));
	if (x->split)
		dump_split_chips(vm, dump);
	else
		dump_kernel_chips(vm, dump);
}

static const char *mp_state_name(uint32_t s)
{
	static const char *const names[] = {
		[KVM_MP_STATE_RUNNABLE] = "runnable", [KVM_MP_STATE_UNINITIALIZED] = "uninitialized",
		[KVM_MP_STATE_INIT_RECEIVED] = "init-received", [KVM_MP_STATE_HALTED] = "halted",
		[KVM_MP_STATE_SIPI_RECEIVED] = "sipi-received", [KVM_MP_STATE_STOPPED] = "stopped",
		[KVM_MP_STATE_CHECK_STOP] = "check-stop", [KVM_MP_STATE_OPERATING] = "operating",
		[KVM_MP_STATE_LOAD] = "load",
	};
	if (s < sizeof(names) / sizeof(names[0]) && names[s])
		return names[s];
	return "unknown";
}

static int read_guest_ram(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	return vm_read_gpa(opaque, gpa, buf, len);
}

static int refuse_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	(void)opaque, (void)gpa, (void)buf, (void)len;
	return -1; /* a dump only looks: no accessed bits are set */
}

/*
 * Where the guest's own page tables put the code at CS:RIP: "rip_gpa", or
 * "rip_unmapped" with the walker's reason. A vCPU found at an address its
 * guest never mapped was put there by something other than the guest (on
 * the emulated x86 test host, a host kernel address once appeared there;
 * docs/test-hosts.md), which is what makes the fact worth printing.
 */
static void rip_mapping_json(json_t *o, struct vcpu *vcpu, const struct kvm_regs *regs,
			     const struct kvm_sregs *sregs)
{
	if (!(sregs->cr0 & X86_CR0_PG))
		return; /* linear = physical: nothing to say */
	const struct guest_memory_ops mem = { .read = read_guest_ram, .write = refuse_write,
					      .opaque = vcpu->vm };
	const struct walk_request req = {
		.cr0 = sregs->cr0, .cr3 = sregs->cr3, .cr4 = sregs->cr4, .efer = sregs->efer,
		.cpl = sregs->cs.dpl, .fetch = true,
	};
	/* In 64-bit mode the CPU ignores the CS base (SDM vol 1, 3.4.2.1). */
	const bool long_mode = (sregs->efer & X86_EFER_LMA) && sregs->cs.l;
	const uint64_t linear = long_mode ? regs->rip : sregs->cs.base + regs->rip;
	uint64_t gpa;
	enum walk_result r = x86_translate(&mem, &req, linear, &gpa, NULL);
	if (r == WALK_OK)
		json_object_set_new(o, "rip_gpa", irq_dump_hex64(gpa));
	else if (r != WALK_UNSUPPORTED_MODE)
		json_object_set_new(o, "rip_unmapped", json_string(x86_walk_result_name(r)));
}

static void note_error(json_t *o, const char *what)
{
	char s[160];
	snprintf(s, sizeof(s), "%s: %s", what, strerror(errno));
	json_t *prev = json_object_get(o, "error");
	if (json_is_string(prev)) {
		char both[400];
		snprintf(both, sizeof(both), "%s; %s", json_string_value(prev), s);
		json_object_set_new(o, "error", json_string(both));
	} else {
		json_object_set_new(o, "error", json_string(s));
	}
}

/* What irqvm itself holds for this vCPU, outside KVM. */
static json_t *pending_json(struct vcpu *vcpu)
{
	struct x86_vm *x = vcpu->vm->arch;
	json_t *p = json_object();
	if (x->split && vcpu->index == 0) {
		pthread_mutex_lock(&x->irqchip_lock);
		bool extint = x->pic_output;
		pthread_mutex_unlock(&x->irqchip_lock);
		/* PIC INT high: an ExtINT waits for the interrupt window (LINT0). */
		json_object_set_new(p, "extint", json_boolean(extint));
	}
	json_object_set_new(p, "interrupt_window_requested",
			    json_boolean(vcpu->run->request_interrupt_window));
	json_object_set_new(p, "ready_for_injection",
			    json_boolean(vcpu->run->ready_for_interrupt_injection));
	json_object_set_new(p, "nmis_queued", json_integer(atomic_load(&vcpu->nmi_queued)));
	json_object_set_new(p, "requests", irq_dump_requests_json(atomic_load(&vcpu->requests)));
	return p;
}

static json_t *counters_json(const struct vcpu_stats *st)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
		"exits", (json_int_t)vcpu_counter(&st->exits),
		"pio_exits", (json_int_t)vcpu_counter(&st->pio_exits),
		"mmio_exits", (json_int_t)vcpu_counter(&st->mmio_exits),
		"irq_window_exits", (json_int_t)vcpu_counter(&st->arch[X86_CNT_IRQ_WINDOW_EXITS]),
		"extint_injections", (json_int_t)vcpu_counter(&st->arch[X86_CNT_EXTINT_INJECTIONS]),
		"ioapic_eoi_exits", (json_int_t)vcpu_counter(&st->arch[X86_CNT_EOI_EXITS]),
		"eoi_exits_suppressed", (json_int_t)vcpu_counter(&st->arch[X86_CNT_EOI_EXITS_SUPPRESSED]),
		"kicks", (json_int_t)vcpu_counter(&st->kicks),
		"nmis", (json_int_t)vcpu_counter(&st->nmis),
		"nmi_failed", (json_int_t)vcpu_counter(&st->nmi_failed),
		"nmi_merged", (json_int_t)vcpu_counter(&st->nmi_merged));
}

json_t *arch_vcpu_irq_state(struct vcpu *vcpu)
{
	json_t *o = json_object();
	struct kvm_mp_state mp;
	if (ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp) == 0)
		json_object_set_new(o, "mp_state", json_string(mp_state_name(mp.mp_state)));
	else
		note_error(o, "KVM_GET_MP_STATE");
	struct kvm_regs regs;
	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) == 0) {
		json_object_set_new(o, "rip", irq_dump_hex64(regs.rip));
		json_object_set_new(o, "rflags", irq_dump_hex64(regs.rflags));
		json_object_set_new(o, "if", json_boolean(regs.rflags & (1u << 9)));
	} else {
		note_error(o, "KVM_GET_REGS");
	}
	struct kvm_sregs sregs;
	bool have_sregs = ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) == 0;
	if (!have_sregs)
		note_error(o, "KVM_GET_SREGS");
	else if (json_object_get(o, "rip"))
		rip_mapping_json(o, vcpu, &regs, &sregs);
	struct kvm_lapic_state lapic;
	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &lapic) == 0)
		json_object_set_new(o, "lapic", x86_lapic_json(&lapic, have_sregs ? sregs.apic_base : 0));
	else
		note_error(o, "KVM_GET_LAPIC");
	struct kvm_vcpu_events ev;
	if (ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev) == 0)
		json_object_set_new(o, "events", json_pack("{s:b,s:b,s:b,s:b,s:i,s:i,s:b,s:i}",
			"nmi_pending", ev.nmi.pending, "nmi_injected", ev.nmi.injected,
			"nmi_masked", ev.nmi.masked, "interrupt_injected", ev.interrupt.injected,
			"interrupt_vector", ev.interrupt.nr, "interrupt_shadow", ev.interrupt.shadow,
			"exception_injected", ev.exception.injected, "exception_vector",
			ev.exception.nr));
	else
		note_error(o, "KVM_GET_VCPU_EVENTS");
	json_object_set_new(o, "pending", pending_json(vcpu));
	json_object_set_new(o, "counters", counters_json(&vcpu->stats));
	return o;
}
