/* SPDX-License-Identifier: MIT */
/*
 * The split irqchip's KVM routing table (vmm/arch/x86/x86_routes.c): every
 * redirection entry, masked or not, is mirrored at its pin's GSI so KVM keeps
 * reporting the EOIs of level vectors; irqfd routes follow the mirror.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#if defined(__x86_64__)
#include "vmm/arch/x86/x86.h"

#define PIN 9
#define VECTOR 0x39

static struct ioapic io;
static struct kvm_irq_routing *r;

static void no_deliver(void *opaque, unsigned pin, const struct ioapic_msi *msg)
{
	(void)opaque, (void)pin, (void)msg;
}

static const struct ioapic_ops ops = { .deliver = no_deliver };

static void setup(void)
{
	ioapic_init(&io, &ops, NULL, 0);
	r = calloc(1, sizeof(*r) + (IOAPIC_NUM_PINS + X86_MAX_MSI_ROUTES) *
				       sizeof(struct kvm_irq_routing_entry));
	cr_assert_not_null(r);
}

static void teardown(void)
{
	free(r);
}

/* High dword first, like Linux. */
static void program(unsigned pin, uint64_t rte)
{
	ioapic_mmio_write(&io, IOAPIC_IOREGSEL, 0x11 + 2 * pin, 4);
	ioapic_mmio_write(&io, IOAPIC_IOWIN, (uint32_t)(rte >> 32), 4);
	ioapic_mmio_write(&io, IOAPIC_IOREGSEL, 0x10 + 2 * pin, 4);
	ioapic_mmio_write(&io, IOAPIC_IOWIN, (uint32_t)rte, 4);
}

static const struct kvm_irq_routing_entry *route_of(uint32_t gsi)
{
	for (unsigned i = 0; i < r->nr; i++)
		if (r->entries[i].gsi == gsi)
			return &r->entries[i];
	return NULL;
}

static void assert_level_route(unsigned pin, uint8_t vector)
{
	const struct kvm_irq_routing_entry *e = route_of(pin);
	cr_assert_not_null(e, "no route for pin %u", pin);
	cr_assert_eq(e->type, KVM_IRQ_ROUTING_MSI);
	cr_assert_eq(e->u.msi.data & 0xff, vector);
	cr_assert(e->u.msi.data & IOAPIC_MSI_DATA_LEVEL, "data 0x%x not level", e->u.msi.data);
}

TestSuite(x86_routes, .init = setup, .fini = teardown);

Test(x86_routes, an_unmasked_level_entry_is_a_level_msi_route_at_its_pin)
{
	program(PIN, VECTOR | IOAPIC_RTE_LEVEL);
	x86_routes_fill(r, &io, NULL, 0);
	assert_level_route(PIN, VECTOR);
}

/* Linux masks a oneshot threaded IRQ's pin in its handler and EOIs before
 * the unmask: KVM must still report that EOI so Remote IRR clears. */
Test(x86_routes, a_level_entry_masked_while_in_service_keeps_its_route)
{
	program(PIN, VECTOR | IOAPIC_RTE_LEVEL);
	ioapic_set_irq(&io, PIN, true);
	cr_assert(ioapic_redirection_entry(&io, PIN) & IOAPIC_RTE_REMOTE_IRR);
	program(PIN, VECTOR | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED);
	x86_routes_fill(r, &io, NULL, 0);
	assert_level_route(PIN, VECTOR);
}

Test(x86_routes, every_pin_is_mirrored_even_in_the_power_on_state)
{
	x86_routes_fill(r, &io, NULL, 0);
	cr_assert_eq(r->nr, IOAPIC_NUM_PINS);
	for (unsigned pin = 0; pin < IOAPIC_NUM_PINS; pin++)
		cr_assert_not_null(route_of(pin), "pin %u", pin);
}

/* irqfds are the only routes KVM delivers through: they must never share a
 * GSI with the mirror, whose masked entries must not deliver. */
Test(x86_routes, irqfd_routes_follow_the_mirror_at_their_slots)
{
	struct x86_msi_route irqfd[X86_MAX_MSI_ROUTES] = {
		[3] = { .used = true, .address = 0xfee01000ull, .data = 0x41 },
	};
	x86_routes_fill(r, &io, irqfd, X86_MAX_MSI_ROUTES);
	cr_assert_eq(r->nr, IOAPIC_NUM_PINS + 1);
	const struct kvm_irq_routing_entry *e = route_of(IOAPIC_NUM_PINS + 3);
	cr_assert_not_null(e);
	cr_assert_eq(e->u.msi.address_lo, 0xfee01000u);
	cr_assert_eq(e->u.msi.data, 0x41u);
}
#endif
