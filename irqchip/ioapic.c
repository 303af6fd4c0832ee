/* SPDX-License-Identifier: MIT */
/*
 * IOAPIC (Intel 82093AA + ICH/PCH EOI register) state machine. See
 * ioapic.h for the contract; "DS §x" cites the 82093AA datasheet.
 *
 * Per pin we keep the stored entry, the electrical line level, whether a
 * delivery is being held for a recheck, and the storm counter. Everything
 * that can send a message funnels through level_service() (level entries)
 * or the edge branch of ioapic_set_irq(), and state is updated before
 * ops->deliver is called, so a callback that re-enters sees it consistent.
 */
#include <limits.h>
#include <string.h>

#include "irqchip/ioapic.h"

static unsigned rte_delivery_mode(uint64_t rte)
{
	return (unsigned)((rte & IOAPIC_RTE_DELIVERY_MODE_MASK) >> IOAPIC_RTE_DELIVERY_MODE_SHIFT);
}

static bool rte_mode_reserved(uint64_t rte)
{
	unsigned dm = rte_delivery_mode(rte);

	return dm == IOAPIC_DM_RESERVED3 || dm == IOAPIC_DM_RESERVED6;
}

/*
 * DS §3.2.4, delivery mode: SMI and ExtINT "require" edge trigger mode, and
 * NMI and INIT are "treated as edge triggered even if programmed as level".
 * We apply that to all four, so they never set Remote IRR.
 */
static bool rte_is_level(uint64_t rte)
{
	if (!(rte & IOAPIC_RTE_LEVEL))
		return false;
	switch (rte_delivery_mode(rte)) {
	case IOAPIC_DM_SMI:
	case IOAPIC_DM_NMI:
	case IOAPIC_DM_INIT:
	case IOAPIC_DM_EXTINT:
		return false;
	default:
		return true;
	}
}

/* DS §3.2.4, polarity: bit 13 set means the input is active low. */
static bool pin_asserted(const struct ioapic_pin *p)
{
	return p->line != !!(p->rte & IOAPIC_RTE_ACTIVE_LOW);
}

static bool pin_masked(const struct ioapic_pin *p)
{
	return p->rte & IOAPIC_RTE_MASKED;
}

/*
 * Translation to the x86 MSI format (SDM vol 3, 11.11). The redirection
 * hint is set for lowest-priority delivery so the platform may pick any
 * destination; the destination-mode bit is passed through as written (KVM
 * honours it whether or not the hint is set). Only assert messages exist
 * here, so bit 14 is always 1 (edge messages ignore it, SDM 11.11.2). The
 * vector is passed through unchecked: vectors 0-15 are the receiving LAPIC's
 * business (it flags an illegal vector), not the IOAPIC's.
 */
static struct ioapic_msi rte_to_msi(uint64_t rte)
{
	struct ioapic_msi msg;
	uint64_t dest = (rte & IOAPIC_RTE_DEST_MASK) >> IOAPIC_RTE_DEST_SHIFT;
	unsigned dm = rte_delivery_mode(rte);

	msg.address = IOAPIC_MSI_ADDR_BASE | dest << IOAPIC_MSI_ADDR_DEST_SHIFT;
	if (rte & IOAPIC_RTE_DEST_LOGICAL)
		msg.address |= IOAPIC_MSI_ADDR_DEST_LOGICAL;
	if (dm == IOAPIC_DM_LOWEST)
		msg.address |= IOAPIC_MSI_ADDR_REDIR_HINT;

	msg.data = (uint32_t)(rte & IOAPIC_RTE_VECTOR_MASK) | dm << IOAPIC_MSI_DATA_DM_SHIFT |
		   IOAPIC_MSI_DATA_ASSERT;
	if (rte_is_level(rte))
		msg.data |= IOAPIC_MSI_DATA_LEVEL;
	return msg;
}

static void send(struct ioapic *io, unsigned pin)
{
	struct ioapic_pin *p = &io->pins[pin];
	struct ioapic_msi msg = rte_to_msi(p->rte);

	/* DS §3.2.4: Remote IRR is set when a LAPIC accepts the level message. */
	if (rte_is_level(p->rte))
		p->rte |= IOAPIC_RTE_REMOTE_IRR;
	io->stats.delivered[pin]++;
	io->ops->deliver(io->opaque, pin, &msg);
}

/* Hold the pin's delivery until ioapic_recheck(pin), one holdoff from now. */
static bool defer(struct ioapic *io, unsigned pin)
{
	uint64_t now, at;

	if (!io->ops->schedule_recheck)
		return false; /* nobody to call us back: better send than lose */
	now = io->ops->now_ns ? io->ops->now_ns(io->opaque) : 0;
	at = now + io->storm_holdoff_ns;
	if (at < now)
		at = UINT64_MAX;
	io->pins[pin].recheck_pending = true;
	io->ops->schedule_recheck(io->opaque, pin, at);
	return true;
}

/*
 * A level entry sends while its line is asserted, it is unmasked, Remote
 * IRR is clear (DS §3.2.4) and we are not holding it for a recheck. The
 * result says what stopped it, for ioapic_set_irq() to report.
 */
static enum ioapic_set_result level_service(struct ioapic *io, unsigned pin)
{
	struct ioapic_pin *p = &io->pins[pin];

	if (!rte_is_level(p->rte) || !pin_asserted(p))
		return IOAPIC_NO_CHANGE;
	if (pin_masked(p))
		return IOAPIC_MASKED;
	if ((p->rte & IOAPIC_RTE_REMOTE_IRR) || p->recheck_pending)
		return IOAPIC_COALESCED;
	if (rte_mode_reserved(p->rte))
		return IOAPIC_INVALID;
	send(io, pin);
	return IOAPIC_DELIVERED;
}

/* The line went (or reads as) deasserted: the storm and any holdoff are over. */
static void pin_deasserted(struct ioapic_pin *p)
{
	p->storm_count = 0;
	p->recheck_pending = false;
}

/* Effects of leaving level mode (also after reset): Remote IRR has no meaning. */
static void pin_left_level_mode(struct ioapic_pin *p)
{
	p->rte &= ~IOAPIC_RTE_REMOTE_IRR;
	p->storm_count = 0;
	p->recheck_pending = false;
}

static void reset_state(struct ioapic *io, bool notify)
{
	unsigned pin;

	io->id = io->reset_id;
	io->ioregsel = 0;
	for (pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
		struct ioapic_pin *p = &io->pins[pin];

		/* DS §3.2.4: default value xxx1 xxxx xxxx xxxxh, i.e. masked. */
		p->rte = IOAPIC_RTE_MASKED;
		pin_left_level_mode(p);
	}
	if (notify && io->ops->entry_changed)
		for (pin = 0; pin < IOAPIC_NUM_PINS; pin++)
			io->ops->entry_changed(io->opaque, pin);
}

void ioapic_init(struct ioapic *io, const struct ioapic_ops *ops, void *opaque, uint8_t id)
{
	memset(io, 0, sizeof(*io));
	io->ops = ops;
	io->opaque = opaque;
	io->reset_id = id & 0xf; /* DS §3.2.1: a 4-bit ID */
	io->storm_threshold = IOAPIC_DEFAULT_STORM_THRESHOLD;
	io->storm_holdoff_ns = IOAPIC_DEFAULT_STORM_HOLDOFF_NS;
	io->broadcast_eoi_trusted = true;
	reset_state(io, false);
}

void ioapic_reset(struct ioapic *io)
{
	reset_state(io, true);
}

enum ioapic_set_result ioapic_set_irq(struct ioapic *io, unsigned pin, bool level)
{
	struct ioapic_pin *p;
	enum ioapic_set_result res;
	bool was_asserted;

	if (pin >= IOAPIC_NUM_PINS)
		return IOAPIC_INVALID;
	p = &io->pins[pin];
	was_asserted = pin_asserted(p);
	p->line = level;

	if (!pin_asserted(p)) {
		/* Remote IRR stays set: only an EOI clears it (DS §3.2.4). */
		pin_deasserted(p);
		return IOAPIC_NO_CHANGE;
	}

	if (rte_is_level(p->rte)) {
		if (was_asserted)
			return IOAPIC_NO_CHANGE; /* a level is a state, not an event */
		res = level_service(io, pin);
		if (res == IOAPIC_MASKED)
			io->stats.masked[pin]++;
		else if (res == IOAPIC_COALESCED)
			io->stats.coalesced[pin]++;
		else if (res == IOAPIC_INVALID)
			io->stats.invalid[pin]++;
		return res;
	}

	/* Edge: a masked entry ignores its input entirely, so the edge is lost. */
	if (pin_masked(p)) {
		io->stats.masked[pin]++;
		return IOAPIC_MASKED;
	}
	if (was_asserted) {
		io->stats.coalesced[pin]++;
		return IOAPIC_COALESCED;
	}
	if (rte_mode_reserved(p->rte)) {
		io->stats.invalid[pin]++;
		return IOAPIC_INVALID;
	}
	send(io, pin);
	return IOAPIC_DELIVERED;
}

/*
 * One EOI for one pin whose vector matched. DS §3.2.4: an EOI with a
 * matching vector clears Remote IRR; a still-asserted level line then
 * produces a new message. trusted says whether the EOI proves the guest
 * handler ran (see ioapic_set_broadcast_eoi_trusted).
 */
static void eoi_pin(struct ioapic *io, unsigned pin, bool trusted)
{
	struct ioapic_pin *p = &io->pins[pin];

	if (!rte_is_level(p->rte) || !(p->rte & IOAPIC_RTE_REMOTE_IRR))
		return;
	p->rte &= ~IOAPIC_RTE_REMOTE_IRR;
	io->stats.eoi[pin]++;

	if (!pin_asserted(p) || pin_masked(p) || p->recheck_pending || rte_mode_reserved(p->rte))
		return; /* nothing to re-deliver now; unmask or a new assertion will */

	if (!trusted) {
		/*
		 * The handler may not have run yet, so the line being asserted
		 * proves nothing. Look again one holdoff later: the interrupt is
		 * never lost, and it cannot come back faster than that.
		 */
		if (defer(io, pin)) {
			io->stats.eoi_deferred[pin]++;
			return;
		}
	} else {
		/* Saturate so a threshold of UINT_MAX really disables the guard. */
		if (p->storm_count < UINT_MAX)
			p->storm_count++;
		if (p->storm_count > io->storm_threshold && defer(io, pin)) {
			io->stats.storm_deferred[pin]++;
			return;
		}
	}
	send(io, pin);
}

static void eoi_vector(struct ioapic *io, uint8_t vector, bool trusted)
{
	unsigned pin;

	for (pin = 0; pin < IOAPIC_NUM_PINS; pin++)
		if ((io->pins[pin].rte & IOAPIC_RTE_VECTOR_MASK) == vector)
			eoi_pin(io, pin, trusted);
}

void ioapic_eoi_broadcast(struct ioapic *io, uint8_t vector)
{
	eoi_vector(io, vector, io->broadcast_eoi_trusted);
}

void ioapic_recheck(struct ioapic *io, unsigned pin)
{
	if (pin >= IOAPIC_NUM_PINS)
		return;
	io->pins[pin].recheck_pending = false;
	level_service(io, pin);
}

/* Delivery Status is derived: see the top of ioapic.h for the definition. */
static uint64_t rte_guest_view(const struct ioapic_pin *p)
{
	uint64_t rte = p->rte;

	if (rte_is_level(rte) && pin_asserted(p) && !(rte & IOAPIC_RTE_REMOTE_IRR))
		rte |= IOAPIC_RTE_DELIVERY_STATUS;
	return rte;
}

/*
 * A guest write to one dword of an entry. Read-only and reserved bits keep
 * their values (DS §3.2.4). Leaving level mode clears Remote IRR: it has no
 * meaning for edge entries, and guests without the EOI register rely on an
 * edge/level toggle to unstick it. Then the (possibly now unmasked or
 * re-polarised) level entry is re-evaluated; edges are never fabricated.
 */
static void write_rte(struct ioapic *io, unsigned pin, bool high, uint32_t value)
{
	struct ioapic_pin *p = &io->pins[pin];
	uint64_t rte = p->rte;

	if (high)
		rte = (rte & 0xffffffffULL) | (uint64_t)value << 32;
	else
		rte = (rte & ~0xffffffffULL) | value;
	p->rte = (rte & IOAPIC_RTE_WRITABLE) | (p->rte & IOAPIC_RTE_REMOTE_IRR);

	if (!rte_is_level(p->rte))
		pin_left_level_mode(p);
	else if (!pin_asserted(p))
		pin_deasserted(p); /* a polarity flip can deassert the line */

	/* The VMM's route mirror is brought up to date before any delivery. */
	if (io->ops->entry_changed)
		io->ops->entry_changed(io->opaque, pin);
	level_service(io, pin);
}

static uint32_t reg_read(const struct ioapic *io, uint8_t index)
{
	unsigned pin;
	uint64_t rte;

	switch (index) {
	case IOAPIC_REG_ID:
		return (uint32_t)io->id << 24; /* DS §3.2.1: bits 27:24 */
	case IOAPIC_REG_VERSION:
		return IOAPIC_VERSION_VALUE; /* DS §3.2.2 */
	case IOAPIC_REG_ARB:
		/*
		 * DS §3.2.3: loaded from the ID whenever the ID is written. With
		 * no APIC bus (version 0x20) it never rotates, so it is the ID.
		 */
		return (uint32_t)io->id << 24;
	default:
		break;
	}
	if (index < IOAPIC_REG_REDTBL_BASE || index >= IOAPIC_REG_REDTBL_BASE + 2 * IOAPIC_NUM_PINS)
		return 0; /* undefined register */
	pin = (unsigned)(index - IOAPIC_REG_REDTBL_BASE) / 2;
	rte = rte_guest_view(&io->pins[pin]);
	return (index & 1) ? (uint32_t)(rte >> 32) : (uint32_t)rte;
}

static void reg_write(struct ioapic *io, uint8_t index, uint32_t value)
{
	if (index == IOAPIC_REG_ID) {
		io->id = (value >> 24) & 0xf;
		return;
	}
	/* Version and arbitration ID are read-only; undefined ones ignore writes. */
	if (index < IOAPIC_REG_REDTBL_BASE || index >= IOAPIC_REG_REDTBL_BASE + 2 * IOAPIC_NUM_PINS)
		return;
	write_rte(io, (unsigned)(index - IOAPIC_REG_REDTBL_BASE) / 2, index & 1, value);
}

/* 1, 2 or 4 bytes, not crossing a dword: the only accesses we decode. */
static bool access_ok(uint64_t offset, unsigned size)
{
	if (size != 1 && size != 2 && size != 4)
		return false;
	return (offset & 3) + size <= 4;
}

uint32_t ioapic_mmio_read(struct ioapic *io, uint64_t offset, unsigned size)
{
	uint32_t dword;

	if (!access_ok(offset, size))
		return 0xffffffff;
	switch (offset & ~3ULL) {
	case IOAPIC_IOREGSEL:
		dword = io->ioregsel;
		break;
	case IOAPIC_IOWIN:
		dword = reg_read(io, io->ioregsel);
		break;
	default:
		dword = 0; /* undefined offsets, and the write-only EOI register */
		break;
	}
	dword >>= (offset & 3) * 8;
	if (size < 4)
		dword &= (1U << (size * 8)) - 1;
	return dword;
}

/*
 * DS §3.1 defines only dword accesses. A partial IOWIN write could apply
 * half an entry, so we ignore it; IOREGSEL and the EOI register use only
 * bits 7:0, so narrower writes covering byte 0 are unambiguous and honoured.
 */
void ioapic_mmio_write(struct ioapic *io, uint64_t offset, uint64_t value, unsigned size)
{
	uint64_t reg = offset & ~3ULL;
	uint32_t dword = (uint32_t)value;

	if (!access_ok(offset, size))
		return;
	if (size != 4 && (offset & 3 || (reg != IOAPIC_IOREGSEL && reg != IOAPIC_EOI)))
		return;

	switch (reg) {
	case IOAPIC_IOREGSEL:
		io->ioregsel = (uint8_t)dword; /* DS §3.1.1: bits 31:8 reserved */
		break;
	case IOAPIC_IOWIN:
		reg_write(io, io->ioregsel, dword);
		break;
	case IOAPIC_EOI:
		/* Written by the guest after its handler: always trusted. */
		eoi_vector(io, (uint8_t)dword, true);
		break;
	default:
		break;
	}
}

bool ioapic_entry_msi(const struct ioapic *io, unsigned pin, struct ioapic_msi *msg, bool *masked,
		      bool *level_triggered)
{
	const struct ioapic_pin *p;

	if (pin >= IOAPIC_NUM_PINS)
		return false;
	p = &io->pins[pin];
	if (msg)
		*msg = rte_to_msi(p->rte);
	if (masked)
		*masked = pin_masked(p) || rte_mode_reserved(p->rte);
	if (level_triggered)
		*level_triggered = rte_is_level(p->rte);
	return true;
}

uint64_t ioapic_redirection_entry(const struct ioapic *io, unsigned pin)
{
	if (pin >= IOAPIC_NUM_PINS)
		return 0;
	return rte_guest_view(&io->pins[pin]);
}

void ioapic_set_storm_guard(struct ioapic *io, unsigned threshold, uint64_t holdoff_ns)
{
	io->storm_threshold = threshold;
	io->storm_holdoff_ns = holdoff_ns;
}

void ioapic_set_broadcast_eoi_trusted(struct ioapic *io, bool trusted)
{
	io->broadcast_eoi_trusted = trusted;
}

const struct ioapic_stats *ioapic_stats(const struct ioapic *io)
{
	return &io->stats;
}

void ioapic_snapshot(const struct ioapic *io, struct ioapic_snapshot *out)
{
	out->id = io->id;
	out->ioregsel = io->ioregsel;
	out->version = IOAPIC_VERSION_VALUE;
	out->nr_pins = IOAPIC_NUM_PINS;
	out->storm_threshold = io->storm_threshold;
	out->storm_holdoff_ns = io->storm_holdoff_ns;
	out->broadcast_eoi_trusted = io->broadcast_eoi_trusted;
	for (unsigned pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
		const struct ioapic_pin *p = &io->pins[pin];
		uint64_t rte = rte_guest_view(p);

		out->pins[pin] = (struct ioapic_pin_snapshot){
			.rte = rte,
			.vector = (uint8_t)(rte & IOAPIC_RTE_VECTOR_MASK),
			.dest = (uint8_t)(rte >> IOAPIC_RTE_DEST_SHIFT),
			.delivery_mode = (enum ioapic_delivery_mode)rte_delivery_mode(rte),
			.dest_logical = rte & IOAPIC_RTE_DEST_LOGICAL,
			.level_triggered = rte & IOAPIC_RTE_LEVEL,
			.effective_level = rte_is_level(rte),
			.active_low = rte & IOAPIC_RTE_ACTIVE_LOW,
			.masked = rte & IOAPIC_RTE_MASKED,
			.remote_irr = rte & IOAPIC_RTE_REMOTE_IRR,
			.delivery_status = rte & IOAPIC_RTE_DELIVERY_STATUS,
			.line = p->line,
			.asserted = pin_asserted(p),
			.recheck_pending = p->recheck_pending,
			.storm_count = p->storm_count,
		};
	}
}

const char *ioapic_delivery_mode_name(enum ioapic_delivery_mode mode)
{
	static const char *const names[8] = {
		"fixed", "lowest", "smi", "reserved3", "nmi", "init", "reserved6", "extint",
	};

	return names[(unsigned)mode & 7];
}
