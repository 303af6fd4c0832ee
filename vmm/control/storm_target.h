/* SPDX-License-Identifier: MIT */
/*
 * One injection into a target (vmm/control/control_args.h), accounted: the common
 * step of the control commands (inject pulse, msi, ipi, nmi) and of storms.
 *
 *   irq:N / gsi:N    irq_line_pulse(): a rising edge through the irqchip;
 *                    the irqchip back end accounts the outcome itself
 *   msi:C:V, ipi:C:V an MSI, fixed delivery, physical destination vCPU C,
 *                    edge, encoded by the architecture (arch_msi_encode;
 *                    x86: address 0xfee00000 | C << 12, data V)
 *   nmi:C            an NMI queued to vCPU C's thread (arch_vcpu_inject_nmi),
 *                    or (via_msi) an MSI with NMI delivery mode
 */
#ifndef IRQVM_STORM_TARGET_H
#define IRQVM_STORM_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/control/control_args.h"
#include "vmm/core/stats.h"

struct vm;

struct storm_target_ctx {
	struct vm *vm;
	struct ctl_target t;
	struct stats_source *src;
	bool nmi_via_msi;
	/* Storms: queue NMIs and kick the vCPU at most every STORM_NMI_KICK_NS. */
	bool throttle_kicks;
	uint64_t last_kick_ns;
	uint64_t address; /* MSI */
	uint32_t data;
	int cpu, vector;  /* where the guest takes it; -1 unknown (lines: as routed at init) */
};

/* Where a target's interrupts go now (lines: the route the guest has set). */
struct storm_target_route {
	int cpu, vector;       /* -1: unknown */
	bool level_in_service; /* a level-triggered line's last interrupt is not over:
				* Remote IRR or its 8259 ISR bit set (a level interrupt
				* ends at its EOI, not at its handler's entry) */
};

/* Has the guest started this vCPU? An NMI queued (KVM_NMI) to a vCPU still
 * waiting for its start would be taken the moment it starts, before it has
 * an IDT (a triple fault): NMIs go only to started vCPUs. */
bool storm_target_vcpu_started(struct vm *vm, unsigned cpu);

/* Checks the target against the VM and resolves its source. 0 or -1 with err
 * (an NMI target whose vCPU has not been started is refused). */
int storm_target_init(struct storm_target_ctx *c, struct vm *vm, const struct ctl_target *t,
		      char *err, size_t errlen);
#define STORM_NMI_KICK_NS 100000ull

/* Injects once at host time now_ns. */
void storm_target_inject(struct storm_target_ctx *c, uint64_t now_ns);
/* Reads only: may be called from any thread while another injects. */
void storm_target_route(const struct storm_target_ctx *c, struct storm_target_route *out);
/* The guest's handler entries on (CPU, vector) of route r; 0 if unknown. */
uint64_t storm_target_guest_handled(const struct storm_target_ctx *c,
				    const struct storm_target_route *r);

#endif
