/* SPDX-License-Identifier: MIT */
/*
 * IOAPIC model tests, through the public interface only. A fake ops table
 * records deliveries, entry_changed calls and recheck requests; the clock
 * is a variable the tests move by hand.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <string.h>

#include "irqchip/ioapic.h"

#define MAX_RECORDED 64

struct fake {
	unsigned nr_delivered;
	unsigned pins[MAX_RECORDED];
	struct ioapic_msi msgs[MAX_RECORDED];
	struct ioapic_msi last_msg;
	unsigned last_pin;
	unsigned changed[IOAPIC_NUM_PINS];
	unsigned changed_total;
	uint64_t now;
	unsigned nr_scheduled;
	unsigned sched_pin;
	uint64_t sched_at;
};

static struct fake fk;
static struct ioapic io;

static void fake_deliver(void *opaque, unsigned pin, const struct ioapic_msi *msg)
{
	struct fake *f = opaque;

	if (f->nr_delivered < MAX_RECORDED) {
		f->pins[f->nr_delivered] = pin;
		f->msgs[f->nr_delivered] = *msg;
	}
	f->nr_delivered++;
	f->last_pin = pin;
	f->last_msg = *msg;
}

static void fake_entry_changed(void *opaque, unsigned pin)
{
	struct fake *f = opaque;

	f->changed[pin]++;
	f->changed_total++;
}

static uint64_t fake_now(void *opaque)
{
	return ((struct fake *)opaque)->now;
}

static void fake_schedule(void *opaque, unsigned pin, uint64_t at_ns)
{
	struct fake *f = opaque;

	f->nr_scheduled++;
	f->sched_pin = pin;
	f->sched_at = at_ns;
}

static const struct ioapic_ops fake_ops = {
	.deliver = fake_deliver,
	.entry_changed = fake_entry_changed,
	.now_ns = fake_now,
	.schedule_recheck = fake_schedule,
};

static void setup(void)
{
	memset(&fk, 0, sizeof(fk));
	fk.now = 1000000;
	ioapic_init(&io, &fake_ops, &fk, 2);
}

static void reg_write(uint8_t index, uint32_t value)
{
	ioapic_mmio_write(&io, IOAPIC_IOREGSEL, index, 4);
	ioapic_mmio_write(&io, IOAPIC_IOWIN, value, 4);
}

static uint32_t reg_read(uint8_t index)
{
	ioapic_mmio_write(&io, IOAPIC_IOREGSEL, index, 4);
	return ioapic_mmio_read(&io, IOAPIC_IOWIN, 4);
}

/* High dword first, like Linux, so the entry is never live half-written. */
static void program(unsigned pin, uint64_t rte)
{
	reg_write((uint8_t)(0x11 + 2 * pin), (uint32_t)(rte >> 32));
	reg_write((uint8_t)(0x10 + 2 * pin), (uint32_t)rte);
}

static uint64_t read_entry(unsigned pin)
{
	uint64_t lo = reg_read((uint8_t)(0x10 + 2 * pin));
	uint64_t hi = reg_read((uint8_t)(0x11 + 2 * pin));

	return hi << 32 | lo;
}

static uint64_t dest(uint8_t apic)
{
	return (uint64_t)apic << 56;
}

static uint64_t dm(unsigned mode)
{
	return (uint64_t)mode << 8;
}

/* An unmasked fixed, physical, active-high level entry. */
static void program_level(unsigned pin, uint8_t vector)
{
	program(pin, vector | IOAPIC_RTE_LEVEL | dest(0));
}

static void program_edge(unsigned pin, uint8_t vector)
{
	program(pin, vector | dest(0));
}

static const struct ioapic_stats *st(void)
{
	return ioapic_stats(&io);
}

TestSuite(ioapic_regs, .init = setup);
TestSuite(ioapic_entry, .init = setup);
TestSuite(ioapic_msi, .init = setup);
TestSuite(ioapic_edge, .init = setup);
TestSuite(ioapic_level, .init = setup);
TestSuite(ioapic_storm, .init = setup);
TestSuite(ioapic_untrusted, .init = setup);
TestSuite(ioapic_mmio, .init = setup);

/* ---- ID, version, arbitration, IOREGSEL ---- */

Test(ioapic_regs, id_register_holds_init_id_in_bits_24_to_27)
{
	cr_assert_eq(reg_read(IOAPIC_REG_ID), 2u << 24);
}

Test(ioapic_regs, id_write_keeps_only_bits_24_to_27)
{
	reg_write(IOAPIC_REG_ID, 0xffffffff);
	cr_assert_eq(reg_read(IOAPIC_REG_ID), 0x0f000000u);
	reg_write(IOAPIC_REG_ID, 5u << 24);
	cr_assert_eq(reg_read(IOAPIC_REG_ID), 5u << 24);
}

Test(ioapic_regs, init_id_is_truncated_to_four_bits)
{
	ioapic_init(&io, &fake_ops, &fk, 0x3a);
	cr_assert_eq(reg_read(IOAPIC_REG_ID), 0xau << 24);
}

Test(ioapic_regs, version_register_reports_0x20_and_23_as_max_entry)
{
	cr_assert_eq(reg_read(IOAPIC_REG_VERSION), 0x00170020u);
}

Test(ioapic_regs, version_register_is_read_only)
{
	reg_write(IOAPIC_REG_VERSION, 0);
	cr_assert_eq(reg_read(IOAPIC_REG_VERSION), 0x00170020u);
}

Test(ioapic_regs, arbitration_id_follows_id_and_is_read_only)
{
	cr_assert_eq(reg_read(IOAPIC_REG_ARB), 2u << 24);
	reg_write(IOAPIC_REG_ARB, 7u << 24);
	cr_assert_eq(reg_read(IOAPIC_REG_ARB), 2u << 24);
	reg_write(IOAPIC_REG_ID, 9u << 24);
	cr_assert_eq(reg_read(IOAPIC_REG_ARB), 9u << 24);
}

Test(ioapic_regs, ioregsel_keeps_only_bits_7_to_0)
{
	ioapic_mmio_write(&io, IOAPIC_IOREGSEL, 0xabcd01, 4);
	cr_assert_eq(ioapic_mmio_read(&io, IOAPIC_IOREGSEL, 4), 0x01u);
	cr_assert_eq(ioapic_mmio_read(&io, IOAPIC_IOWIN, 4), 0x00170020u);
}

Test(ioapic_regs, undefined_indirect_registers_read_zero)
{
	static const uint8_t idx[] = { 0x03, 0x0f, 0x40, 0x41, 0x80, 0xff };

	for (unsigned i = 0; i < sizeof(idx); i++)
		cr_assert_eq(reg_read(idx[i]), 0u, "index %#x", idx[i]);
}

Test(ioapic_regs, writes_to_undefined_indirect_registers_change_nothing)
{
	for (unsigned idx = 0x03; idx < 0x10; idx++)
		reg_write((uint8_t)idx, 0xffffffff);
	for (unsigned idx = 0x40; idx <= 0xff; idx++)
		reg_write((uint8_t)idx, 0xffffffff);
	for (unsigned pin = 0; pin < IOAPIC_NUM_PINS; pin++)
		cr_assert_eq(read_entry(pin), IOAPIC_RTE_MASKED);
	cr_assert_eq(reg_read(IOAPIC_REG_ID), 2u << 24);
	cr_assert_eq(fk.changed_total, 0u);
}

Test(ioapic_regs, last_entry_is_at_indices_0x3e_and_0x3f)
{
	reg_write(0x3e, 0x55);
	reg_write(0x3f, 0x12000000);
	cr_assert_eq(ioapic_redirection_entry(&io, 23), 0x1200000000000055ULL);
	cr_assert_eq(ioapic_redirection_entry(&io, 22), IOAPIC_RTE_MASKED);
}

/* ---- redirection entry fields ---- */

Test(ioapic_entry, power_on_state_has_every_entry_masked)
{
	for (unsigned pin = 0; pin < IOAPIC_NUM_PINS; pin++)
		cr_assert_eq(read_entry(pin), IOAPIC_RTE_MASKED, "pin %u", pin);
	cr_assert_eq(ioapic_set_irq(&io, 3, true), IOAPIC_MASKED);
	cr_assert_eq(fk.nr_delivered, 0u);
}

Test(ioapic_entry, vector_field_reads_back)
{
	for (unsigned v = 0; v < 256; v += 17) {
		program(4, IOAPIC_RTE_MASKED | v);
		cr_assert_eq(read_entry(4) & 0xff, v);
	}
}

Test(ioapic_entry, delivery_mode_field_reads_back_all_eight_values)
{
	for (unsigned mode = 0; mode < 8; mode++) {
		program(4, IOAPIC_RTE_MASKED | dm(mode));
		cr_assert_eq((read_entry(4) >> 8) & 7, mode);
	}
}

Test(ioapic_entry, destination_mode_bit_reads_back)
{
	program(4, IOAPIC_RTE_MASKED | IOAPIC_RTE_DEST_LOGICAL);
	cr_assert(read_entry(4) & IOAPIC_RTE_DEST_LOGICAL);
	program(4, IOAPIC_RTE_MASKED);
	cr_assert_not(read_entry(4) & IOAPIC_RTE_DEST_LOGICAL);
}

Test(ioapic_entry, polarity_trigger_and_mask_bits_read_back)
{
	ioapic_set_irq(&io, 4, true); /* deasserted for active low: no Delivery Status */
	program(4, IOAPIC_RTE_MASKED | IOAPIC_RTE_ACTIVE_LOW | IOAPIC_RTE_LEVEL);
	cr_assert_eq(read_entry(4), IOAPIC_RTE_MASKED | IOAPIC_RTE_ACTIVE_LOW | IOAPIC_RTE_LEVEL);
	program(4, 0);
	cr_assert_eq(read_entry(4), 0u);
}

Test(ioapic_entry, destination_reads_back_as_full_byte)
{
	program(4, IOAPIC_RTE_MASKED | dest(0xa5));
	cr_assert_eq(read_entry(4) >> 56, 0xa5u);
	cr_assert_eq(reg_read(0x19), 0xa5000000u);
}

Test(ioapic_entry, reserved_bits_read_as_zero)
{
	reg_write(0x19, 0xffffffff);
	reg_write(0x18, 0xffffffff & ~(uint32_t)IOAPIC_RTE_LEVEL);
	cr_assert_eq(read_entry(4), 0xff00000000000000ULL | 0x12fffULL);
}

Test(ioapic_entry, delivery_status_and_remote_irr_ignore_writes)
{
	program(4, IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | IOAPIC_RTE_REMOTE_IRR |
			   IOAPIC_RTE_DELIVERY_STATUS | 0x30);
	cr_assert_eq(read_entry(4), IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | 0x30);

	/* And a set Remote IRR survives a write of 0 to it. */
	program_level(5, 0x31);
	ioapic_set_irq(&io, 5, true);
	program(5, 0x31 | IOAPIC_RTE_LEVEL);
	cr_assert(read_entry(5) & IOAPIC_RTE_REMOTE_IRR);
}

Test(ioapic_entry, every_dword_write_reports_entry_changed)
{
	reg_write(0x10 + 2 * 7, 0x40);
	cr_assert_eq(fk.changed[7], 1u);
	reg_write(0x11 + 2 * 7, 0);
	cr_assert_eq(fk.changed[7], 2u);
	reg_write(0x10 + 2 * 7, 0x40); /* unchanged value still reported */
	cr_assert_eq(fk.changed[7], 3u);
	cr_assert_eq(fk.changed_total, 3u);
}

Test(ioapic_entry, other_registers_do_not_report_entry_changed)
{
	reg_write(IOAPIC_REG_ID, 0);
	reg_write(IOAPIC_REG_VERSION, 0);
	ioapic_mmio_write(&io, IOAPIC_EOI, 0x40, 4);
	ioapic_set_irq(&io, 1, true);
	cr_assert_eq(fk.changed_total, 0u);
}

Test(ioapic_entry, reset_masks_clears_remote_irr_restores_id_and_reports_every_entry)
{
	program_level(2, 0x50);
	ioapic_set_irq(&io, 2, true);
	reg_write(IOAPIC_REG_ID, 7u << 24);
	fk.changed_total = 0;

	ioapic_reset(&io);
	cr_assert_eq(read_entry(2), IOAPIC_RTE_MASKED);
	cr_assert_eq(reg_read(IOAPIC_REG_ID), 2u << 24);
	cr_assert_eq(fk.changed_total, (unsigned)IOAPIC_NUM_PINS);
	cr_assert_eq(fk.nr_delivered, 1u);
}

Test(ioapic_entry, line_levels_survive_reset)
{
	ioapic_set_irq(&io, 2, true);
	ioapic_reset(&io);
	program_level(2, 0x50); /* unmasking the still-asserted line delivers */
	cr_assert_eq(fk.nr_delivered, 1u);
}

Test(ioapic_entry, init_calls_no_callbacks)
{
	cr_assert_eq(fk.changed_total, 0u);
	cr_assert_eq(fk.nr_delivered, 0u);
	cr_assert_eq(fk.nr_scheduled, 0u);
}

Test(ioapic_entry, out_of_range_pin_reads_zero_entry)
{
	cr_assert_eq(ioapic_redirection_entry(&io, IOAPIC_NUM_PINS), 0u);
	cr_assert_eq(ioapic_redirection_entry(&io, UINT_MAX), 0u);
}

/* ---- translation to MSI ---- */

Test(ioapic_msi, fixed_physical_edge)
{
	program(1, 0x41 | dest(3));
	ioapic_set_irq(&io, 1, true);
	cr_assert_eq(fk.nr_delivered, 1u);
	cr_assert_eq(fk.last_pin, 1u);
	cr_assert_eq(fk.last_msg.address, 0xfee03000ULL);
	cr_assert_eq(fk.last_msg.data, 0x4041u);
}

Test(ioapic_msi, lowest_priority_sets_redirection_hint)
{
	struct ioapic_msi m;

	program(1, 0x41 | dm(IOAPIC_DM_LOWEST) | dest(0xff) | IOAPIC_RTE_DEST_LOGICAL);
	cr_assert(ioapic_entry_msi(&io, 1, &m, NULL, NULL));
	cr_assert_eq(m.address, 0xfeeff00cULL);
	cr_assert_eq(m.data, 0x4141u);
}

Test(ioapic_msi, logical_destination_sets_destination_mode_bit)
{
	struct ioapic_msi m;

	program(1, 0x41 | IOAPIC_RTE_DEST_LOGICAL | dest(0x0f));
	ioapic_entry_msi(&io, 1, &m, NULL, NULL);
	cr_assert_eq(m.address, 0xfee0f004ULL);
}

Test(ioapic_msi, level_entry_sets_trigger_bit)
{
	program_level(6, 0x66);
	ioapic_set_irq(&io, 6, true);
	cr_assert_eq(fk.last_msg.address, 0xfee00000ULL);
	cr_assert_eq(fk.last_msg.data, 0xc066u);
}

Test(ioapic_msi, smi_nmi_init_extint_are_sent_as_edge_even_if_programmed_level)
{
	static const unsigned modes[] = { IOAPIC_DM_SMI, IOAPIC_DM_NMI, IOAPIC_DM_INIT,
					  IOAPIC_DM_EXTINT };

	for (unsigned i = 0; i < 4; i++) {
		bool level = true;

		program(8, IOAPIC_RTE_LEVEL | dm(modes[i]) | dest(1));
		ioapic_entry_msi(&io, 8, NULL, NULL, &level);
		cr_assert_not(level, "mode %u", modes[i]);
		ioapic_set_irq(&io, 8, true);
		cr_assert_eq(fk.last_msg.data, 0x4000u | modes[i] << 8, "mode %u", modes[i]);
		cr_assert_eq(fk.last_msg.address, 0xfee01000ULL);
		cr_assert_not(read_entry(8) & IOAPIC_RTE_REMOTE_IRR, "mode %u", modes[i]);
		ioapic_set_irq(&io, 8, false);
	}
	cr_assert_eq(fk.nr_delivered, 4u);
}

Test(ioapic_msi, entry_msi_reports_mask_and_effective_trigger)
{
	struct ioapic_msi m;
	bool masked = false, level = false;

	program(9, 0x99 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED | dest(2));
	cr_assert(ioapic_entry_msi(&io, 9, &m, &masked, &level));
	cr_assert(masked);
	cr_assert(level);
	cr_assert_eq(m.address, 0xfee02000ULL);
	cr_assert_eq(m.data, 0xc099u);

	program(9, 0x99 | dest(2));
	ioapic_entry_msi(&io, 9, &m, &masked, &level);
	cr_assert_not(masked);
	cr_assert_not(level);
	cr_assert_eq(m.data, 0x4099u);
}

Test(ioapic_msi, entry_msi_rejects_out_of_range_pin)
{
	struct ioapic_msi m;
	bool masked, level;

	cr_assert_not(ioapic_entry_msi(&io, IOAPIC_NUM_PINS, &m, &masked, &level));
}

Test(ioapic_msi, reserved_delivery_modes_are_reported_masked_and_never_sent)
{
	static const unsigned modes[] = { IOAPIC_DM_RESERVED3, IOAPIC_DM_RESERVED6 };

	for (unsigned i = 0; i < 2; i++) {
		bool masked = false;

		program(10, 0x30 | dm(modes[i]));
		ioapic_entry_msi(&io, 10, NULL, &masked, NULL);
		cr_assert(masked);
		cr_assert_eq(ioapic_set_irq(&io, 10, true), IOAPIC_INVALID);
		ioapic_set_irq(&io, 10, false);

		program(11, 0x31 | IOAPIC_RTE_LEVEL | dm(modes[i]));
		cr_assert_eq(ioapic_set_irq(&io, 11, true), IOAPIC_INVALID);
		cr_assert_not(read_entry(11) & IOAPIC_RTE_REMOTE_IRR);
		ioapic_set_irq(&io, 11, false);
	}
	cr_assert_eq(fk.nr_delivered, 0u);
	cr_assert_eq(st()->invalid[10], 2u);
	cr_assert_eq(st()->invalid[11], 2u);
}

Test(ioapic_msi, reprogramming_reserved_mode_to_fixed_delivers_held_level)
{
	program(11, 0x31 | IOAPIC_RTE_LEVEL | dm(IOAPIC_DM_RESERVED3));
	ioapic_set_irq(&io, 11, true);
	cr_assert(read_entry(11) & IOAPIC_RTE_DELIVERY_STATUS);
	program_level(11, 0x31);
	cr_assert_eq(fk.nr_delivered, 1u);
	cr_assert_eq(fk.last_msg.data, 0xc031u);
}

/* ---- edge triggered ---- */

Test(ioapic_edge, delivers_on_rising_edge_only)
{
	program_edge(4, 0x34);
	cr_assert_eq(ioapic_set_irq(&io, 4, true), IOAPIC_DELIVERED);
	cr_assert_eq(ioapic_set_irq(&io, 4, false), IOAPIC_NO_CHANGE);
	cr_assert_eq(ioapic_set_irq(&io, 4, false), IOAPIC_NO_CHANGE);
	cr_assert_eq(fk.nr_delivered, 1u);
	cr_assert_eq(ioapic_set_irq(&io, 4, true), IOAPIC_DELIVERED);
	cr_assert_eq(fk.nr_delivered, 2u);
	cr_assert_eq(fk.pins[1], 4u);
}

Test(ioapic_edge, reassertion_without_deassertion_is_coalesced)
{
	program_edge(4, 0x34);
	ioapic_set_irq(&io, 4, true);
	cr_assert_eq(ioapic_set_irq(&io, 4, true), IOAPIC_COALESCED);
	cr_assert_eq(fk.nr_delivered, 1u);
	cr_assert_eq(st()->coalesced[4], 1u);
	cr_assert_eq(st()->delivered[4], 1u);
}

Test(ioapic_edge, edge_while_masked_is_dropped_and_counted)
{
	program(4, 0x34 | IOAPIC_RTE_MASKED);
	cr_assert_eq(ioapic_set_irq(&io, 4, true), IOAPIC_MASKED);
	cr_assert_eq(st()->masked[4], 1u);
	program_edge(4, 0x34); /* unmask while the line is still high */
	cr_assert_eq(fk.nr_delivered, 0u);
	ioapic_set_irq(&io, 4, false);
	cr_assert_eq(ioapic_set_irq(&io, 4, true), IOAPIC_DELIVERED);
}

Test(ioapic_edge, active_low_delivers_on_falling_electrical_edge)
{
	ioapic_set_irq(&io, 5, true); /* idle high */
	program(5, 0x35 | IOAPIC_RTE_ACTIVE_LOW);
	cr_assert_eq(fk.nr_delivered, 0u);
	cr_assert_eq(ioapic_set_irq(&io, 5, false), IOAPIC_DELIVERED);
	cr_assert_eq(ioapic_set_irq(&io, 5, true), IOAPIC_NO_CHANGE);
	cr_assert_eq(fk.nr_delivered, 1u);
}

Test(ioapic_edge, polarity_change_does_not_fabricate_an_edge)
{
	program_edge(5, 0x35);
	program(5, 0x35 | IOAPIC_RTE_ACTIVE_LOW); /* line low now reads asserted */
	cr_assert_eq(fk.nr_delivered, 0u);
	cr_assert_eq(read_entry(5) & IOAPIC_RTE_DELIVERY_STATUS, 0u);
}

Test(ioapic_edge, edge_entries_never_set_remote_irr_and_ignore_eoi)
{
	program_edge(4, 0x34);
	ioapic_set_irq(&io, 4, true);
	cr_assert_eq(read_entry(4) & (IOAPIC_RTE_REMOTE_IRR | IOAPIC_RTE_DELIVERY_STATUS), 0u);
	ioapic_eoi_broadcast(&io, 0x34);
	cr_assert_eq(fk.nr_delivered, 1u);
	cr_assert_eq(st()->eoi[4], 0u);
}

Test(ioapic_edge, out_of_range_pin_is_invalid)
{
	cr_assert_eq(ioapic_set_irq(&io, IOAPIC_NUM_PINS, true), IOAPIC_INVALID);
	cr_assert_eq(ioapic_set_irq(&io, UINT_MAX, true), IOAPIC_INVALID);
	cr_assert_eq(fk.nr_delivered, 0u);
}

/* ---- level triggered ---- */

Test(ioapic_level, delivery_sets_remote_irr)
{
	program_level(3, 0x33);
	cr_assert_eq(ioapic_set_irq(&io, 3, true), IOAPIC_DELIVERED);
	cr_assert(read_entry(3) & IOAPIC_RTE_REMOTE_IRR);
	cr_assert_not(read_entry(3) & IOAPIC_RTE_DELIVERY_STATUS);
}

Test(ioapic_level, repeated_assertion_is_no_change)
{
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	cr_assert_eq(ioapic_set_irq(&io, 3, true), IOAPIC_NO_CHANGE);
	cr_assert_eq(fk.nr_delivered, 1u);
	cr_assert_eq(st()->coalesced[3], 0u);
}

Test(ioapic_level, reassertion_while_remote_irr_set_is_coalesced_then_sent_on_eoi)
{
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_set_irq(&io, 3, false);
	cr_assert(read_entry(3) & IOAPIC_RTE_REMOTE_IRR); /* only an EOI clears it */
	cr_assert_eq(ioapic_set_irq(&io, 3, true), IOAPIC_COALESCED);
	cr_assert_eq(st()->coalesced[3], 1u);
	cr_assert_eq(fk.nr_delivered, 1u);
	ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(fk.nr_delivered, 2u);
}

Test(ioapic_level, eoi_redelivers_while_line_still_asserted)
{
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(fk.nr_delivered, 2u);
	cr_assert(read_entry(3) & IOAPIC_RTE_REMOTE_IRR);
	cr_assert_eq(st()->eoi[3], 1u);
	cr_assert_eq(fk.nr_scheduled, 0u);
}

Test(ioapic_level, eoi_after_deassertion_clears_remote_irr_only)
{
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_set_irq(&io, 3, false);
	ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(fk.nr_delivered, 1u);
	cr_assert_eq(read_entry(3) & IOAPIC_RTE_REMOTE_IRR, 0u);
	cr_assert_eq(st()->eoi[3], 1u);
}

Test(ioapic_level, eoi_with_unmatched_vector_changes_nothing)
{
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_eoi_broadcast(&io, 0x34);
	ioapic_mmio_write(&io, IOAPIC_EOI, 0x32, 4);
	cr_assert(read_entry(3) & IOAPIC_RTE_REMOTE_IRR);
	cr_assert_eq(fk.nr_delivered, 1u);
	cr_assert_eq(st()->eoi[3], 0u);
}

Test(ioapic_level, eoi_with_remote_irr_clear_is_not_counted)
{
	program_level(3, 0x33);
	ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(st()->eoi[3], 0u);
	cr_assert_eq(fk.nr_delivered, 0u);
}

Test(ioapic_level, eoi_clears_every_entry_sharing_the_vector)
{
	program_level(3, 0x70);
	program_level(9, 0x70);
	ioapic_set_irq(&io, 3, true);
	ioapic_set_irq(&io, 9, true);
	ioapic_set_irq(&io, 3, false);
	ioapic_set_irq(&io, 9, false);
	ioapic_eoi_broadcast(&io, 0x70);
	cr_assert_eq(read_entry(3) & IOAPIC_RTE_REMOTE_IRR, 0u);
	cr_assert_eq(read_entry(9) & IOAPIC_RTE_REMOTE_IRR, 0u);
}

Test(ioapic_level, eoi_register_clears_remote_irr_and_redelivers)
{
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_mmio_write(&io, IOAPIC_EOI, 0x33, 4);
	cr_assert_eq(fk.nr_delivered, 2u);
	cr_assert_eq(st()->eoi[3], 1u);
	ioapic_set_irq(&io, 3, false);
	ioapic_mmio_write(&io, IOAPIC_EOI, 0xffffff33, 4); /* bits 31:8 ignored */
	cr_assert_eq(read_entry(3) & IOAPIC_RTE_REMOTE_IRR, 0u);
	cr_assert_eq(fk.nr_delivered, 2u);
}

Test(ioapic_level, masked_asserted_line_is_held_and_delivered_on_unmask)
{
	program(3, 0x33 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED);
	cr_assert_eq(ioapic_set_irq(&io, 3, true), IOAPIC_MASKED);
	cr_assert_eq(st()->masked[3], 1u);
	cr_assert(read_entry(3) & IOAPIC_RTE_DELIVERY_STATUS);
	cr_assert_eq(fk.nr_delivered, 0u);
	program_level(3, 0x33);
	cr_assert_eq(fk.nr_delivered, 1u);
	cr_assert_eq(read_entry(3) & IOAPIC_RTE_DELIVERY_STATUS, 0u);
	cr_assert(read_entry(3) & IOAPIC_RTE_REMOTE_IRR);
}

Test(ioapic_level, masked_line_that_deasserts_before_unmask_is_not_delivered)
{
	program(3, 0x33 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED);
	ioapic_set_irq(&io, 3, true);
	ioapic_set_irq(&io, 3, false);
	cr_assert_eq(read_entry(3) & IOAPIC_RTE_DELIVERY_STATUS, 0u);
	program_level(3, 0x33);
	cr_assert_eq(fk.nr_delivered, 0u);
}

Test(ioapic_level, eoi_while_masked_clears_remote_irr_and_unmask_redelivers)
{
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	program(3, 0x33 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED);
	cr_assert(read_entry(3) & IOAPIC_RTE_REMOTE_IRR);
	ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(read_entry(3) & IOAPIC_RTE_REMOTE_IRR, 0u);
	cr_assert_eq(fk.nr_delivered, 1u);
	program_level(3, 0x33);
	cr_assert_eq(fk.nr_delivered, 2u);
}

Test(ioapic_level, active_low_line_is_asserted_when_low)
{
	ioapic_set_irq(&io, 3, true); /* idle high */
	program(3, 0x33 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_ACTIVE_LOW);
	cr_assert_eq(fk.nr_delivered, 0u);
	cr_assert_eq(ioapic_set_irq(&io, 3, false), IOAPIC_DELIVERED);
	ioapic_set_irq(&io, 3, true);
	ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(fk.nr_delivered, 1u);
}

Test(ioapic_level, unmasked_entry_programmed_over_asserted_line_delivers)
{
	ioapic_set_irq(&io, 3, true);
	program_level(3, 0x33);
	cr_assert_eq(fk.nr_delivered, 1u);
	/* Flipping the polarity deasserts it; flipping back asserts it again. */
	ioapic_eoi_broadcast(&io, 0x33);
	program(3, 0x33 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_ACTIVE_LOW);
	ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(fk.nr_delivered, 2u);
	cr_assert_eq(read_entry(3) & IOAPIC_RTE_REMOTE_IRR, 0u);
	program_level(3, 0x33);
	cr_assert_eq(fk.nr_delivered, 3u);
}

Test(ioapic_level, switching_to_edge_clears_remote_irr)
{
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	program_edge(3, 0x33);
	cr_assert_eq(read_entry(3) & IOAPIC_RTE_REMOTE_IRR, 0u);
	cr_assert_eq(fk.nr_delivered, 1u); /* no fabricated edge */
	/* Back to level with the line still up: it is a level again, so it sends. */
	program_level(3, 0x33);
	cr_assert_eq(fk.nr_delivered, 2u);
}

Test(ioapic_level, switching_to_nmi_mode_clears_remote_irr)
{
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	program(3, IOAPIC_RTE_LEVEL | dm(IOAPIC_DM_NMI));
	cr_assert_eq(read_entry(3) & IOAPIC_RTE_REMOTE_IRR, 0u);
}

Test(ioapic_level, vector_change_while_pending_matches_eoi_on_new_vector)
{
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	program_level(3, 0x44);
	cr_assert(read_entry(3) & IOAPIC_RTE_REMOTE_IRR);
	ioapic_eoi_broadcast(&io, 0x33);
	cr_assert(read_entry(3) & IOAPIC_RTE_REMOTE_IRR);
	ioapic_eoi_broadcast(&io, 0x44);
	cr_assert_eq(fk.nr_delivered, 2u);
	cr_assert_eq(fk.last_msg.data & 0xff, 0x44u);
}

Test(ioapic_level, held_entry_reprogrammed_while_masked_delivers_new_settings)
{
	program(3, 0x33 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED);
	ioapic_set_irq(&io, 3, true);
	program(3, 0x55 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED | dest(6));
	cr_assert_eq(fk.nr_delivered, 0u);
	program(3, 0x55 | IOAPIC_RTE_LEVEL | dest(6));
	cr_assert_eq(fk.nr_delivered, 1u);
	cr_assert_eq(fk.last_msg.address, 0xfee06000ULL);
	cr_assert_eq(fk.last_msg.data, 0xc055u);
}

Test(ioapic_level, nmi_mode_programmed_level_behaves_as_edge)
{
	program(3, IOAPIC_RTE_LEVEL | dm(IOAPIC_DM_NMI));
	cr_assert_eq(ioapic_set_irq(&io, 3, true), IOAPIC_DELIVERED);
	cr_assert_eq(ioapic_set_irq(&io, 3, true), IOAPIC_COALESCED);
	ioapic_eoi_broadcast(&io, 0);
	cr_assert_eq(fk.nr_delivered, 1u);
	cr_assert_eq(read_entry(3) & IOAPIC_RTE_DELIVERY_STATUS, 0u);
}

Test(ioapic_level, stats_count_deliveries_and_eois_per_pin)
{
	program_level(3, 0x33);
	program_edge(4, 0x34);
	ioapic_set_irq(&io, 3, true);
	ioapic_eoi_broadcast(&io, 0x33);
	ioapic_eoi_broadcast(&io, 0x33);
	ioapic_set_irq(&io, 4, true);
	cr_assert_eq(st()->delivered[3], 3u);
	cr_assert_eq(st()->eoi[3], 2u);
	cr_assert_eq(st()->delivered[4], 1u);
	cr_assert_eq(st()->eoi[4], 0u);
	cr_assert_eq(st()->storm_deferred[3], 0u);
}

/* ---- storm guard ---- */

Test(ioapic_storm, redelivery_is_deferred_above_threshold)
{
	ioapic_set_storm_guard(&io, 3, 5000);
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	for (int i = 0; i < 3; i++)
		ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(fk.nr_delivered, 4u);
	cr_assert_eq(fk.nr_scheduled, 0u);

	ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(fk.nr_delivered, 4u);
	cr_assert_eq(fk.nr_scheduled, 1u);
	cr_assert_eq(fk.sched_pin, 3u);
	cr_assert_eq(fk.sched_at, fk.now + 5000);
	cr_assert_eq(st()->storm_deferred[3], 1u);
	cr_assert(read_entry(3) & IOAPIC_RTE_DELIVERY_STATUS);
}

Test(ioapic_storm, recheck_redelivers_still_asserted_line)
{
	ioapic_set_storm_guard(&io, 0, 5000);
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(fk.nr_delivered, 1u);
	fk.now += 5000;
	ioapic_recheck(&io, 3);
	cr_assert_eq(fk.nr_delivered, 2u);
	cr_assert(read_entry(3) & IOAPIC_RTE_REMOTE_IRR);
}

Test(ioapic_storm, stays_rate_limited_until_line_deasserts)
{
	ioapic_set_storm_guard(&io, 1, 5000);
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_eoi_broadcast(&io, 0x33); /* 1: at once */
	ioapic_eoi_broadcast(&io, 0x33); /* 2: deferred */
	ioapic_recheck(&io, 3);
	ioapic_eoi_broadcast(&io, 0x33); /* still deferred */
	cr_assert_eq(fk.nr_delivered, 3u);
	cr_assert_eq(st()->storm_deferred[3], 2u);

	ioapic_recheck(&io, 3);
	ioapic_set_irq(&io, 3, false);
	ioapic_eoi_broadcast(&io, 0x33);
	ioapic_set_irq(&io, 3, true);
	cr_assert_eq(fk.nr_delivered, 5u);
	ioapic_eoi_broadcast(&io, 0x33); /* counter was reset: at once */
	cr_assert_eq(fk.nr_delivered, 6u);
	cr_assert_eq(st()->storm_deferred[3], 2u);
}

Test(ioapic_storm, deassertion_while_deferred_cancels_the_recheck_delivery)
{
	ioapic_set_storm_guard(&io, 0, 5000);
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_eoi_broadcast(&io, 0x33);
	ioapic_set_irq(&io, 3, false);
	cr_assert_eq(read_entry(3) & IOAPIC_RTE_DELIVERY_STATUS, 0u);
	ioapic_recheck(&io, 3);
	cr_assert_eq(fk.nr_delivered, 1u);
}

Test(ioapic_storm, deferred_line_is_not_sent_by_entry_rewrite)
{
	ioapic_set_storm_guard(&io, 0, 5000);
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_eoi_broadcast(&io, 0x33);
	program_level(3, 0x33);
	cr_assert_eq(fk.nr_delivered, 1u);
	ioapic_recheck(&io, 3);
	cr_assert_eq(fk.nr_delivered, 2u);
}

Test(ioapic_storm, default_threshold_is_ten_thousand)
{
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	for (int i = 0; i < 10000; i++)
		ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(fk.nr_delivered, 10001u);
	cr_assert_eq(fk.nr_scheduled, 0u);
	ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(fk.nr_delivered, 10001u);
	cr_assert_eq(fk.nr_scheduled, 1u);
	cr_assert_eq(fk.sched_at, fk.now + 100000); /* default holdoff 100 us */
}

Test(ioapic_storm, directed_eoi_counts_towards_the_guard)
{
	ioapic_set_storm_guard(&io, 1, 5000);
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_mmio_write(&io, IOAPIC_EOI, 0x33, 4);
	ioapic_mmio_write(&io, IOAPIC_EOI, 0x33, 4);
	cr_assert_eq(fk.nr_delivered, 2u);
	cr_assert_eq(st()->storm_deferred[3], 1u);
}

Test(ioapic_storm, uint_max_threshold_disables_the_guard)
{
	ioapic_set_storm_guard(&io, UINT_MAX, 5000);
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	for (int i = 0; i < 20000; i++)
		ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(fk.nr_delivered, 20001u);
	cr_assert_eq(fk.nr_scheduled, 0u);
}

Test(ioapic_storm, holdoff_saturates_instead_of_wrapping)
{
	ioapic_set_storm_guard(&io, 0, UINT64_MAX);
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(fk.sched_at, UINT64_MAX);
}

Test(ioapic_storm, recheck_of_idle_masked_or_edge_pin_does_nothing)
{
	program_edge(4, 0x34);
	ioapic_set_irq(&io, 4, true);
	ioapic_recheck(&io, 4);
	program(5, 0x35 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED);
	ioapic_set_irq(&io, 5, true);
	ioapic_recheck(&io, 5);
	program_level(6, 0x36);
	ioapic_recheck(&io, 6);
	ioapic_recheck(&io, IOAPIC_NUM_PINS);
	ioapic_recheck(&io, UINT_MAX);
	cr_assert_eq(fk.nr_delivered, 1u);
}

Test(ioapic_storm, recheck_with_remote_irr_set_does_not_resend)
{
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_recheck(&io, 3);
	cr_assert_eq(fk.nr_delivered, 1u);
}

static const struct ioapic_ops no_scheduler_ops = {
	.deliver = fake_deliver,
	.entry_changed = NULL,
	.now_ns = NULL,
	.schedule_recheck = NULL,
};

Test(ioapic_storm, without_a_scheduler_redelivers_at_once)
{
	ioapic_init(&io, &no_scheduler_ops, &fk, 0);
	ioapic_set_storm_guard(&io, 0, 5000);
	ioapic_set_broadcast_eoi_trusted(&io, false);
	program_level(3, 0x33); /* NULL entry_changed is fine too */
	ioapic_set_irq(&io, 3, true);
	ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(fk.nr_delivered, 2u);
	cr_assert_eq(st()->storm_deferred[3], 0u);
	ioapic_reset(&io);
}

/* ---- untrusted broadcast EOI ---- */

Test(ioapic_untrusted, broadcast_eoi_clears_remote_irr_and_schedules_recheck)
{
	ioapic_set_broadcast_eoi_trusted(&io, false);
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(fk.nr_delivered, 1u);
	cr_assert_eq(read_entry(3) & IOAPIC_RTE_REMOTE_IRR, 0u);
	cr_assert_eq(fk.nr_scheduled, 1u);
	cr_assert_eq(fk.sched_pin, 3u);
	cr_assert_eq(fk.sched_at, fk.now + 100000);
	cr_assert_eq(st()->eoi[3], 1u);
	cr_assert_eq(st()->eoi_deferred[3], 1u);
	cr_assert_eq(st()->storm_deferred[3], 0u);
}

Test(ioapic_untrusted, recheck_delivers_if_line_still_asserted)
{
	ioapic_set_broadcast_eoi_trusted(&io, false);
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_eoi_broadcast(&io, 0x33);
	fk.now += 100000;
	ioapic_recheck(&io, 3);
	cr_assert_eq(fk.nr_delivered, 2u);
	/* The next early EOI defers again: at most one message per holdoff. */
	ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(fk.nr_delivered, 2u);
	cr_assert_eq(fk.nr_scheduled, 2u);
	cr_assert_eq(fk.sched_at, fk.now + 100000);
}

Test(ioapic_untrusted, handled_interrupt_is_not_redelivered)
{
	ioapic_set_broadcast_eoi_trusted(&io, false);
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_eoi_broadcast(&io, 0x33);
	ioapic_set_irq(&io, 3, false); /* the handler ran and quietened the device */
	ioapic_recheck(&io, 3);
	cr_assert_eq(fk.nr_delivered, 1u);
}

Test(ioapic_untrusted, eoi_after_deassertion_schedules_nothing)
{
	ioapic_set_broadcast_eoi_trusted(&io, false);
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_set_irq(&io, 3, false);
	ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(fk.nr_scheduled, 0u);
	cr_assert_eq(read_entry(3) & IOAPIC_RTE_REMOTE_IRR, 0u);
}

Test(ioapic_untrusted, new_rising_assertion_after_deassert_delivers_normally)
{
	ioapic_set_broadcast_eoi_trusted(&io, false);
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_eoi_broadcast(&io, 0x33);
	ioapic_set_irq(&io, 3, false);
	cr_assert_eq(ioapic_set_irq(&io, 3, true), IOAPIC_DELIVERED);
	cr_assert_eq(fk.nr_delivered, 2u);
}

Test(ioapic_untrusted, eoi_register_is_always_trusted)
{
	ioapic_set_broadcast_eoi_trusted(&io, false);
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_mmio_write(&io, IOAPIC_EOI, 0x33, 4);
	cr_assert_eq(fk.nr_delivered, 2u);
	cr_assert_eq(fk.nr_scheduled, 0u);
}

Test(ioapic_untrusted, masked_line_is_delivered_on_unmask_not_by_recheck)
{
	ioapic_set_broadcast_eoi_trusted(&io, false);
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	program(3, 0x33 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED);
	ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(fk.nr_scheduled, 0u);
	program_level(3, 0x33);
	cr_assert_eq(fk.nr_delivered, 2u);
}

Test(ioapic_untrusted, trusting_again_restores_immediate_redelivery)
{
	ioapic_set_broadcast_eoi_trusted(&io, false);
	ioapic_set_broadcast_eoi_trusted(&io, true);
	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_eoi_broadcast(&io, 0x33);
	cr_assert_eq(fk.nr_delivered, 2u);
	cr_assert_eq(fk.nr_scheduled, 0u);
}

/* ---- MMIO access sizes and offsets ---- */

Test(ioapic_mmio, unsupported_sizes_read_all_ones)
{
	static const unsigned sizes[] = { 0, 3, 5, 8, 16 };

	for (unsigned i = 0; i < 5; i++)
		cr_assert_eq(ioapic_mmio_read(&io, IOAPIC_IOWIN, sizes[i]), 0xffffffffu);
}

Test(ioapic_mmio, accesses_crossing_a_dword_read_all_ones)
{
	cr_assert_eq(ioapic_mmio_read(&io, IOAPIC_IOWIN + 2, 4), 0xffffffffu);
	cr_assert_eq(ioapic_mmio_read(&io, IOAPIC_IOWIN + 3, 2), 0xffffffffu);
}

Test(ioapic_mmio, narrow_reads_return_bytes_of_the_dword)
{
	ioapic_mmio_write(&io, IOAPIC_IOREGSEL, IOAPIC_REG_VERSION, 4);
	cr_assert_eq(ioapic_mmio_read(&io, IOAPIC_IOWIN, 1), 0x20u);
	cr_assert_eq(ioapic_mmio_read(&io, IOAPIC_IOWIN + 2, 1), 0x17u);
	cr_assert_eq(ioapic_mmio_read(&io, IOAPIC_IOWIN + 2, 2), 0x17u);
	cr_assert_eq(ioapic_mmio_read(&io, IOAPIC_IOWIN, 2), 0x20u);
	cr_assert_eq(ioapic_mmio_read(&io, IOAPIC_IOREGSEL, 1), 0x01u);
}

Test(ioapic_mmio, bad_writes_are_ignored)
{
	ioapic_mmio_write(&io, IOAPIC_IOREGSEL, 0x10, 4);
	ioapic_mmio_write(&io, IOAPIC_IOWIN, 0x41, 1);		 /* partial entry */
	ioapic_mmio_write(&io, IOAPIC_IOWIN, 0x41, 2);
	ioapic_mmio_write(&io, IOAPIC_IOWIN, 0x41, 8);		 /* bad size */
	ioapic_mmio_write(&io, IOAPIC_IOWIN + 1, 0x41, 1);	 /* odd byte */
	ioapic_mmio_write(&io, IOAPIC_IOWIN + 2, 0x41, 4);	 /* crosses dword */
	ioapic_mmio_write(&io, IOAPIC_IOREGSEL + 1, 0x12, 1); /* reserved byte */
	ioapic_mmio_write(&io, IOAPIC_IOWIN, 0x41, 0);
	cr_assert_eq(ioapic_mmio_read(&io, IOAPIC_IOREGSEL, 4), 0x10u);
	cr_assert_eq(ioapic_redirection_entry(&io, 0), IOAPIC_RTE_MASKED);
	cr_assert_eq(fk.changed_total, 0u);
}

Test(ioapic_mmio, narrow_writes_to_ioregsel_and_eoi_act_on_bits_7_to_0)
{
	ioapic_mmio_write(&io, IOAPIC_IOREGSEL, 0x01, 1);
	cr_assert_eq(ioapic_mmio_read(&io, IOAPIC_IOWIN, 4), 0x00170020u);
	ioapic_mmio_write(&io, IOAPIC_IOREGSEL, 0xff02, 2);
	cr_assert_eq(ioapic_mmio_read(&io, IOAPIC_IOREGSEL, 4), 0x02u);

	program_level(3, 0x33);
	ioapic_set_irq(&io, 3, true);
	ioapic_set_irq(&io, 3, false);
	ioapic_mmio_write(&io, IOAPIC_EOI, 0x33, 1);
	cr_assert_eq(read_entry(3) & IOAPIC_RTE_REMOTE_IRR, 0u);
}

Test(ioapic_mmio, undefined_offsets_read_zero_and_ignore_writes)
{
	static const uint64_t offs[] = { 0x04, 0x0c, 0x14, 0x20, 0x3c, 0x44, 0xffc, 0x1000,
					 0xfffffffffffffffcULL };

	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		ioapic_mmio_write(&io, offs[i], 0xffffffff, 4);
		cr_assert_eq(ioapic_mmio_read(&io, offs[i], 4), 0u, "offset %#llx",
			     (unsigned long long)offs[i]);
	}
	cr_assert_eq(ioapic_mmio_read(&io, IOAPIC_IOREGSEL, 4), 0u);
	cr_assert_eq(reg_read(IOAPIC_REG_ID), 2u << 24);
	cr_assert_eq(fk.changed_total, 0u);
}

Test(ioapic_mmio, eoi_register_is_write_only_and_reads_zero)
{
	cr_assert_eq(ioapic_mmio_read(&io, IOAPIC_EOI, 4), 0u);
}

Test(ioapic_mmio, last_byte_of_the_window_is_readable)
{
	cr_assert_eq(ioapic_mmio_read(&io, IOAPIC_MMIO_SIZE - 1, 1), 0u);
	cr_assert_eq(ioapic_mmio_read(&io, UINT64_MAX, 1), 0u);
}

/* ---- read-only snapshot (the interrupt-state dump's view) ---- */

TestSuite(ioapic_snapshot, .init = setup);

Test(ioapic_snapshot, decodes_every_entry_field_and_line)
{
	program(3, 0x41 | dm(IOAPIC_DM_LOWEST) | IOAPIC_RTE_DEST_LOGICAL | IOAPIC_RTE_ACTIVE_LOW |
		   IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED | dest(0x0f));
	ioapic_set_irq(&io, 3, false); /* active low: asserted, masked: held, DS set */
	program_level(5, 0x55);
	ioapic_set_irq(&io, 5, true);  /* delivered: Remote IRR set */

	struct ioapic_snapshot s;
	ioapic_snapshot(&io, &s);
	cr_assert_eq(s.id, 2);
	cr_assert_eq(s.version, IOAPIC_VERSION_VALUE);
	cr_assert_eq(s.nr_pins, IOAPIC_NUM_PINS);
	const struct ioapic_pin_snapshot *p = &s.pins[3];
	cr_assert_eq(p->vector, 0x41);
	cr_assert_eq(p->delivery_mode, IOAPIC_DM_LOWEST);
	cr_assert_str_eq(ioapic_delivery_mode_name(p->delivery_mode), "lowest");
	cr_assert(p->dest_logical);
	cr_assert_eq(p->dest, 0x0f);
	cr_assert(p->level_triggered && p->effective_level);
	cr_assert(p->active_low && p->masked);
	cr_assert(!p->line && p->asserted);
	cr_assert(p->delivery_status, "asserted level entry held by its mask");
	cr_assert(!p->remote_irr);
	cr_assert_eq(p->rte, read_entry(3));

	p = &s.pins[5];
	cr_assert(p->remote_irr && !p->delivery_status && !p->masked);
	cr_assert(p->line && p->asserted);
	cr_assert_eq(s.pins[0].masked, true, "reset state: masked");
}

Test(ioapic_snapshot, nmi_entry_is_not_level_and_snapshot_changes_nothing)
{
	program(7, 2 | dm(IOAPIC_DM_NMI) | IOAPIC_RTE_LEVEL);
	reg_read(IOAPIC_REG_VERSION); /* IOREGSEL = 1 */
	struct ioapic before = io;
	struct ioapic_snapshot s;
	ioapic_snapshot(&io, &s);
	cr_assert(s.pins[7].level_triggered && !s.pins[7].effective_level);
	cr_assert_str_eq(ioapic_delivery_mode_name(s.pins[7].delivery_mode), "nmi");
	cr_assert_eq(s.ioregsel, IOAPIC_REG_VERSION);
	cr_assert(!memcmp(&before, &io, sizeof(io)));
}
