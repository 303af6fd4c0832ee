/* SPDX-License-Identifier: MIT */
#include "vmm/control/storm_target.h"

#include <stdio.h>
#include <string.h>

#include "vmm/core/arch.h"
#include "vmm/core/vm.h"

static void refresh_line_route(struct storm_target_ctx *c)
{
	struct irqchip_line_info info;
	if (!c->vm->irqchip_line_info)
		return;
	c->vm->irqchip_line_info(c->vm, c->t.line, &info);
	c->cpu = info.cpu;
	c->vector = info.vector;
}

bool storm_target_vcpu_started(struct vm *vm, unsigned cpu)
{
	if (cpu >= vm->nr_vcpus)
		return false;
	struct vcpu *v = &vm->vcpus[cpu];
	pthread_mutex_lock(&v->lock);
	bool started = v->running;
	pthread_mutex_unlock(&v->lock);
	return started;
}

int storm_target_init(struct storm_target_ctx *c, struct vm *vm, const struct ctl_target *t,
		      char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->vm = vm;
	c->t = *t;
	c->cpu = c->vector = -1;
	if (ctl_check_target_in_vm(t, vm->nr_vcpus, irq_lines_count(&vm->lines), err, errlen) < 0)
		return -1;
	switch (t->kind) {
	case CTL_TARGET_IRQ:
	case CTL_TARGET_GSI:
		c->src = stats_source(vm->stats, STATS_SRC_GSI, t->line, 0);
		refresh_line_route(c);
		break;
	case CTL_TARGET_MSI:
	case CTL_TARGET_IPI:
		if (!vm->deliver_msi_status) {
			snprintf(err, errlen, "this VM's irqchip cannot deliver MSIs");
			return -1;
		}
		arch_msi_encode(t->cpu, t->vector, ARCH_MSI_FIXED, &c->address, &c->data);
		c->src = stats_source(vm->stats, t->kind == CTL_TARGET_MSI ? STATS_SRC_MSI
									 : STATS_SRC_IPI,
				      t->cpu, t->vector);
		c->cpu = (int)t->cpu;
		c->vector = (int)t->vector;
		break;
	case CTL_TARGET_NMI:
		if (!storm_target_vcpu_started(vm, t->cpu)) {
			snprintf(err, errlen, "vCPU %u has not been started by the guest yet: an NMI "
				 "would hit it before it has an IDT", t->cpu);
			return -1;
		}
		c->src = stats_source(vm->stats, STATS_SRC_NMI, t->cpu, 0);
		c->cpu = (int)t->cpu;
		c->vector = arch_nmi_vector;
		break;
	}
	if (!c->src) {
		snprintf(err, errlen, "too many interrupt sources in the statistics table");
		return -1;
	}
	return 0;
}

void storm_target_inject(struct storm_target_ctx *c, uint64_t now_ns)
{
	struct vm *vm = c->vm;
	int r;
	switch (c->t.kind) {
	case CTL_TARGET_IRQ:
	case CTL_TARGET_GSI:
		irq_line_pulse(&vm->lines, c->t.line); /* accounted by the irqchip */
		break;
	case CTL_TARGET_MSI:
	case CTL_TARGET_IPI:
		/* Stamped at the send itself (with what the guest had taken by
		 * then), not at the schedule's time. */
		now_ns = stats_stamp(vm->stats);
		r = vm->deliver_msi_status(vm, c->address, c->data);
		stats_record(vm->stats, c->src, r > 0 ? STATS_DELIVERED : STATS_DROPPED, now_ns,
			     c->cpu, c->vector);
		break;
	case CTL_TARGET_NMI:
		if (c->nmi_via_msi && vm->deliver_msi_status) {
			uint64_t address;
			uint32_t data;
			arch_msi_encode(c->t.cpu, 0, ARCH_MSI_NMI, &address, &data);
			now_ns = stats_stamp(vm->stats);
			r = vm->deliver_msi_status(vm, address, data);
			stats_record(vm->stats, c->src, r > 0 ? STATS_DELIVERED : STATS_DROPPED,
				     now_ns, c->cpu, arch_nmi_vector);
		} else {
			/* Counted first: the vCPU may issue it before this returns. */
			stats_nmi_requested(vm->stats, c->src, now_ns);
			struct vcpu *v = &vm->vcpus[c->t.cpu];
			if (!c->throttle_kicks) {
				vcpu_request_nmi(v);
			} else {
				/* A kick per NMI would keep the vCPU from ever entering
				 * the guest to take one. */
				vcpu_queue_nmi(v);
				if (now_ns - c->last_kick_ns >= STORM_NMI_KICK_NS) {
					vcpu_kick(v);
					c->last_kick_ns = now_ns;
				}
			}
		}
		break;
	}
}

void storm_target_route(const struct storm_target_ctx *c, struct storm_target_route *out)
{
	*out = (struct storm_target_route){ .cpu = c->cpu, .vector = c->vector };
	if ((c->t.kind != CTL_TARGET_IRQ && c->t.kind != CTL_TARGET_GSI) ||
	    !c->vm->irqchip_line_info)
		return;
	struct irqchip_line_info info;
	c->vm->irqchip_line_info(c->vm, c->t.line, &info);
	*out = (struct storm_target_route){ .cpu = info.cpu, .vector = info.vector,
					    .level_in_service = info.level_in_service };
}

uint64_t storm_target_guest_handled(const struct storm_target_ctx *c,
				    const struct storm_target_route *r)
{
	if (r->vector < 0)
		return 0;
	return stats_guest_handled(c->vm->stats, r->cpu, r->vector);
}
