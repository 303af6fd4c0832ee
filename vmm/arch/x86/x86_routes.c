/* SPDX-License-Identifier: MIT */
/*
 * KVM's GSI routing table for the split irqchip, computed from the IOAPIC
 * model and the control socket's irqfd routes (no KVM call here, so the
 * unit tests can check it: tests/unit/test_x86_routes.c).
 *
 * GSI 0-23 mirror the redirection entries. They exist only so KVM knows
 * which vectors are level-triggered: with a split irqchip KVM builds each
 * vCPU's EOI-exit bitmap from the MSI routes of the reserved IOAPIC GSIs
 * and reports the guest's EOI of such a vector as KVM_EXIT_IOAPIC_EOI (KVM
 * API doc, KVM_CAP_SPLIT_IRQCHIP and KVM_EXIT_IOAPIC_EOI).
 *
 * A masked entry keeps its route. A guest may mask a level pin while its
 * interrupt is in service and EOI it before unmasking (Linux does so for
 * oneshot threaded interrupts); without the route KVM would stop reporting
 * that EOI, Remote IRR would never clear (82093AA datasheet 3.2.4: only the
 * EOI clears it, masking does not) and the pin would stay dead after the
 * unmask. QEMU keeps the route of a masked entry too.
 *
 * The mirror can never deliver an interrupt: irqvm sends every IOAPIC
 * message itself with KVM_SIGNAL_MSI after the model has checked the mask,
 * the split back end never calls KVM_IRQ_LINE, and irqfds are bound only to
 * the routes after the mirror (GSI IOAPIC_NUM_PINS and up).
 */
#include "vmm/arch/x86/x86.h"

static struct kvm_irq_routing_entry msi_route(uint32_t gsi, uint64_t address, uint32_t data)
{
	return (struct kvm_irq_routing_entry){
		.gsi = gsi,
		.type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = (uint32_t)address, .address_hi = (uint32_t)(address >> 32),
			   .data = data },
	};
}

void x86_routes_fill(struct kvm_irq_routing *r, const struct ioapic *io,
		     const struct x86_msi_route *irqfd_routes, unsigned nr_irqfd_routes)
{
	r->nr = 0;
	r->flags = 0;
	for (unsigned pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
		struct ioapic_msi msg;
		if (ioapic_entry_msi(io, pin, &msg, NULL, NULL))
			r->entries[r->nr++] = msi_route(pin, msg.address, msg.data);
	}
	/* KVM_SET_GSI_ROUTING replaces the whole table: keep the irqfd routes. */
	for (unsigned i = 0; i < nr_irqfd_routes; i++)
		if (irqfd_routes[i].used)
			r->entries[r->nr++] = msi_route(IOAPIC_NUM_PINS + i, irqfd_routes[i].address,
							irqfd_routes[i].data);
}
