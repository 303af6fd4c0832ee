/* SPDX-License-Identifier: MIT */
/*
 * The IOAPIC (irqchip/ioapic.h) driven as the x86 split irqchip drives it:
 * MMIO reads and writes of any size at any offset of the window, pin
 * levels, broadcast EOIs (trusted or not), rechecks when the VMM's timer
 * fires, reset and the storm-guard policy. Checked at every message and
 * after every step:
 *
 *  - a masked pin never delivers, nor one with a reserved delivery mode,
 *    nor one whose line is not asserted; the message is the one
 *    ioapic_entry_msi() describes; one step sends at most one message per
 *    pin; callbacks name pins 0..23;
 *  - reads: a bad size or a dword-crossing read gives all-ones, a narrow
 *    read fits its size, the version register reads its constant;
 *  - entries: reserved bits read 0, Remote IRR only on level entries;
 *  - nothing is lost: an asserted, unmasked, valid level entry without
 *    Remote IRR is held for a recheck (else it would never be sent).
 */
#include "tests/fuzz/fuzz.h"

#include "irqchip/ioapic.h"

#define RTE_RESERVED (((1ULL << 56) - 1) & ~((1ULL << 17) - 1))

struct harness {
	struct ioapic io;
	uint64_t now;
	unsigned sent_this_step[IOAPIC_NUM_PINS];
};

static void on_deliver(void *opaque, unsigned pin, const struct ioapic_msi *msg)
{
	struct harness *h = opaque;
	struct ioapic_snapshot s;
	struct ioapic_msi expect;
	bool masked;

	FUZZ_CHECK(pin < IOAPIC_NUM_PINS, "deliver(pin %u)", pin);
	ioapic_snapshot(&h->io, &s);
	FUZZ_CHECK(!s.pins[pin].masked, "masked pin %u delivered (rte %016llx)", pin,
		   (unsigned long long)s.pins[pin].rte);
	FUZZ_CHECK(s.pins[pin].asserted, "pin %u delivered with its line deasserted", pin);
	ioapic_entry_msi(&h->io, pin, &expect, &masked, NULL);
	FUZZ_CHECK(!masked, "pin %u delivered with reserved delivery mode %u", pin,
		   s.pins[pin].delivery_mode);
	FUZZ_CHECK(expect.address == msg->address && expect.data == msg->data,
		   "pin %u sent %llx/%x, entry says %llx/%x", pin,
		   (unsigned long long)msg->address, msg->data,
		   (unsigned long long)expect.address, expect.data);
	h->sent_this_step[pin]++;
	FUZZ_CHECK(h->sent_this_step[pin] == 1, "pin %u sent twice in one step", pin);
}

static void on_entry_changed(void *opaque, unsigned pin)
{
	(void)opaque;
	FUZZ_CHECK(pin < IOAPIC_NUM_PINS, "entry_changed(pin %u)", pin);
}

static uint64_t on_now(void *opaque)
{
	return ((struct harness *)opaque)->now;
}

static void on_schedule(void *opaque, unsigned pin, uint64_t at_ns)
{
	struct harness *h = opaque;

	FUZZ_CHECK(pin < IOAPIC_NUM_PINS, "schedule_recheck(pin %u)", pin);
	FUZZ_CHECK(at_ns >= h->now, "recheck of pin %u asked for the past", pin);
}

static const struct ioapic_ops ops = {
	.deliver = on_deliver,
	.entry_changed = on_entry_changed,
	.now_ns = on_now,
	.schedule_recheck = on_schedule,
};

static void check_state(struct harness *h)
{
	struct ioapic_snapshot s;

	ioapic_snapshot(&h->io, &s);
	for (unsigned pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
		const struct ioapic_pin_snapshot *p = &s.pins[pin];
		bool reserved = p->delivery_mode == IOAPIC_DM_RESERVED3 ||
				p->delivery_mode == IOAPIC_DM_RESERVED6;

		FUZZ_CHECK(!(p->rte & RTE_RESERVED), "pin %u reserved bits %016llx", pin,
			   (unsigned long long)p->rte);
		FUZZ_CHECK(p->effective_level || !p->remote_irr, "edge pin %u has Remote IRR", pin);
		if (p->effective_level && p->asserted && !p->masked && !p->remote_irr && !reserved)
			FUZZ_CHECK(p->recheck_pending, "pin %u asserted and deliverable but not sent "
				   "nor held (rte %016llx)", pin, (unsigned long long)p->rte);
	}
}

/* Offsets near the registers most of the time, anywhere in (or past) the window otherwise. */
static uint64_t pick_offset(struct fuzz_in *in)
{
	static const uint64_t regs[] = { IOAPIC_IOREGSEL, IOAPIC_IOWIN, IOAPIC_EOI, 0x20 };
	uint8_t how = fi_u8(in);

	if (how & 0x80)
		return fi_u16(in) & 0x1fff;
	return regs[how & 3] + ((how >> 2) & 3);
}

static unsigned pick_size(struct fuzz_in *in)
{
	static const unsigned sizes[] = { 4, 4, 1, 2, 8, 3, 0, 4 };

	return sizes[fi_u8(in) & 7];
}

static void do_read(struct harness *h, uint64_t offset, unsigned size)
{
	uint32_t v = ioapic_mmio_read(&h->io, offset, size);
	bool ok = (size == 1 || size == 2 || size == 4) && (offset & 3) + size <= 4;

	if (!ok) {
		FUZZ_CHECK(v == 0xffffffff, "bad read %u@%llx gave %x", size,
			   (unsigned long long)offset, v);
		return;
	}
	if (size < 4)
		FUZZ_CHECK(v >> (size * 8) == 0, "%u-byte read gave %x", size, v);
	if (offset == IOAPIC_IOWIN && size == 4 && h->io.ioregsel == IOAPIC_REG_VERSION)
		FUZZ_CHECK(v == IOAPIC_VERSION_VALUE, "version register %x", v);
}

/* IOREGSEL then IOWIN, as a guest programs one dword of an entry. */
static void write_reg(struct harness *h, uint8_t index, uint32_t value)
{
	ioapic_mmio_write(&h->io, IOAPIC_IOREGSEL, index, 4);
	ioapic_mmio_write(&h->io, IOAPIC_IOWIN, value, 4);
}

static void step(struct harness *h, struct fuzz_in *in)
{
	uint8_t op = fi_u8(in);

	switch (op % 10) {
	case 0: {
		uint64_t offset = pick_offset(in);
		unsigned size = pick_size(in);

		ioapic_mmio_write(&h->io, offset, fi_u32(in), size);
		break;
	}
	case 1: {
		uint64_t offset = pick_offset(in);

		do_read(h, offset, pick_size(in));
		break;
	}
	case 2: {
		/* A whole entry: vector, mode, trigger, polarity, mask, destination. */
		unsigned pin = fi_pick(in, IOAPIC_NUM_PINS);
		uint32_t lo = fi_u32(in);

		write_reg(h, (uint8_t)(IOAPIC_REG_REDTBL_BASE + 2 * pin + 1), (uint32_t)fi_u8(in) << 24);
		write_reg(h, (uint8_t)(IOAPIC_REG_REDTBL_BASE + 2 * pin), lo);
		break;
	}
	case 3:
	case 4: {
		uint8_t v = fi_u8(in);

		ioapic_set_irq(&h->io, (v & 0x7f) % 26u, v & 0x80);
		break;
	}
	case 5:
		ioapic_eoi_broadcast(&h->io, fi_u8(in));
		break;
	case 6:
		h->now += (uint64_t)fi_u16(in) * 1000;
		ioapic_recheck(&h->io, fi_pick(in, 26));
		break;
	case 7:
		ioapic_set_broadcast_eoi_trusted(&h->io, fi_bool(in));
		break;
	case 8: {
		uint8_t t = fi_u8(in);

		ioapic_set_storm_guard(&h->io, t == 0xff ? UINT32_MAX : t, fi_u32(in));
		break;
	}
	case 9:
		if (op & 0x80)
			ioapic_reset(&h->io);
		else
			h->now += fi_u32(in);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	static struct harness h;

	memset(&h, 0, sizeof(h));
	h.now = 1000000;
	ioapic_init(&h.io, &ops, &h, fi_u8(&in));
	while (fi_more(&in)) {
		memset(h.sent_this_step, 0, sizeof(h.sent_this_step));
		step(&h, &in);
		check_state(&h);
	}
	return 0;
}
