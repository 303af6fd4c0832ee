/* SPDX-License-Identifier: MIT */
/*
 * IOAPIC model: an Intel 82093AA (datasheet 290566-001, cited as "DS §x")
 * with the version-0x20 EOI register of later ICH/PCH I/O APICs, which
 * deliver over the system bus as MSI-format messages instead of an APIC bus.
 *
 * A pure state machine: inputs are the functions below, outputs are the
 * ioapic_ops callbacks (called synchronously). The caller serialises every
 * call with one lock; nothing here locks, sleeps or keeps global state.
 *
 * Semantics worth knowing (details at the definitions in ioapic.c):
 *
 *  - MMIO window (IOAPIC_MMIO_SIZE bytes): IOREGSEL at 0x00, IOWIN at 0x10,
 *    EOI register at 0x40. Reads of 1, 2 or 4 bytes that stay inside one
 *    dword return those bytes of the dword (reads have no side effects).
 *    Writes take effect only as 4-byte aligned dwords, except that a 1- or
 *    2-byte write at 0x00 (IOREGSEL) or 0x40 (EOI) acts on bits 7:0, the
 *    only bits those registers use. Any other write is ignored; any other
 *    read (bad size, crossing a dword) returns all-ones. Undefined offsets
 *    and undefined indirect registers read as 0 and ignore writes.
 *
 *  - Reserved bits 55:17 of a redirection entry read as 0 (writes dropped),
 *    as do Delivery Status and Remote IRR writes (read-only, DS §3.2.4).
 *    The destination is the full byte 63:56 in both destination modes (FSB
 *    delivery), not only 59:56 as the 82093AA uses in physical mode.
 *
 *  - SMI, NMI, INIT and ExtINT entries always behave as edge triggered,
 *    whatever their trigger bit says (DS §3.2.4); the bit still reads back.
 *    Reserved delivery modes 3 and 6 are stored but never sent: assertions
 *    are dropped (IOAPIC_INVALID, stats.invalid) and ioapic_entry_msi()
 *    reports such entries as masked so no route is installed for them.
 *
 *  - Delivery Status (bit 12) reads 1 exactly while a level-triggered
 *    entry's line is asserted with Remote IRR clear but no message has gone
 *    out: the entry is masked, its re-delivery is deferred to a recheck, or
 *    its delivery mode is reserved. Edge messages are sent synchronously, so
 *    edge entries always read 0.
 *
 *  - Reset (and init) masks every entry, clears Remote IRR, IOREGSEL and
 *    deferrals, and restores the ID given to ioapic_init(). It keeps the
 *    input line levels (devices still drive them), the statistics, and the
 *    storm-guard / broadcast-EOI configuration (VMM policy, not guest state).
 */
#ifndef IRQVM_IRQCHIP_IOAPIC_H
#define IRQVM_IRQCHIP_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define IOAPIC_NUM_PINS 24
#define IOAPIC_MMIO_SIZE 0x1000
#define IOAPIC_DEFAULT_BASE 0xfec00000ULL

/* MMIO offsets inside the window (DS §3.1; EOI register from ICH/PCH). */
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN 0x10
#define IOAPIC_EOI 0x40

/* Indirect register indices selected by IOREGSEL (DS §3.2). */
#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REG_ARB 0x02
#define IOAPIC_REG_REDTBL_BASE 0x10 /* entry n: low 0x10+2n, high 0x11+2n */

#define IOAPIC_VERSION 0x20 /* has the EOI register */
#define IOAPIC_VERSION_VALUE \
	((uint32_t)IOAPIC_VERSION | ((uint32_t)(IOAPIC_NUM_PINS - 1) << 16))

/* Redirection entry fields (DS §3.2.4). */
#define IOAPIC_RTE_VECTOR_MASK 0xffULL
#define IOAPIC_RTE_DELIVERY_MODE_SHIFT 8
#define IOAPIC_RTE_DELIVERY_MODE_MASK (7ULL << 8)
#define IOAPIC_RTE_DEST_LOGICAL (1ULL << 11)
#define IOAPIC_RTE_DELIVERY_STATUS (1ULL << 12) /* read-only */
#define IOAPIC_RTE_ACTIVE_LOW (1ULL << 13)
#define IOAPIC_RTE_REMOTE_IRR (1ULL << 14) /* read-only */
#define IOAPIC_RTE_LEVEL (1ULL << 15)
#define IOAPIC_RTE_MASKED (1ULL << 16)
#define IOAPIC_RTE_DEST_SHIFT 56
#define IOAPIC_RTE_DEST_MASK (0xffULL << 56)
/* Bits a guest write can change: everything but DS, Remote IRR, reserved. */
#define IOAPIC_RTE_WRITABLE                                                 \
	(IOAPIC_RTE_VECTOR_MASK | IOAPIC_RTE_DELIVERY_MODE_MASK |           \
	 IOAPIC_RTE_DEST_LOGICAL | IOAPIC_RTE_ACTIVE_LOW | IOAPIC_RTE_LEVEL | \
	 IOAPIC_RTE_MASKED | IOAPIC_RTE_DEST_MASK)

enum ioapic_delivery_mode {
	IOAPIC_DM_FIXED = 0,
	IOAPIC_DM_LOWEST = 1,
	IOAPIC_DM_SMI = 2,
	IOAPIC_DM_RESERVED3 = 3,
	IOAPIC_DM_NMI = 4,
	IOAPIC_DM_INIT = 5,
	IOAPIC_DM_RESERVED6 = 6,
	IOAPIC_DM_EXTINT = 7,
};

/* x86 MSI format (SDM vol 3, 11.11). */
#define IOAPIC_MSI_ADDR_BASE 0xfee00000ULL
#define IOAPIC_MSI_ADDR_DEST_SHIFT 12
#define IOAPIC_MSI_ADDR_REDIR_HINT (1ULL << 3)
#define IOAPIC_MSI_ADDR_DEST_LOGICAL (1ULL << 2)
#define IOAPIC_MSI_DATA_DM_SHIFT 8
#define IOAPIC_MSI_DATA_ASSERT (1U << 14)
#define IOAPIC_MSI_DATA_LEVEL (1U << 15)

struct ioapic_msi {
	uint64_t address;
	uint32_t data;
};

struct ioapic_ops {
	/* Send one interrupt message for pin (already translated from the
	 * redirection entry). Required. */
	void (*deliver)(void *opaque, unsigned pin, const struct ioapic_msi *msg);
	/* The redirection entry of pin was written by the guest, or reset (the
	 * VMM mirrors entries into KVM GSI routes). May be NULL. */
	void (*entry_changed)(void *opaque, unsigned pin);
	/* Monotonic time; only consulted when scheduling a recheck. */
	uint64_t (*now_ns)(void *opaque);
	/* Ask to have ioapic_recheck(pin) called at (or after) at_ns. The
	 * latest request per pin wins. If NULL, deferred re-deliveries happen
	 * at once instead (no storm guard, no broadcast-EOI holdoff). */
	void (*schedule_recheck)(void *opaque, unsigned pin, uint64_t at_ns);
};

/* Per-pin counters. They only count; no decision depends on them. */
struct ioapic_stats {
	/* Messages sent through ops->deliver. */
	uint64_t delivered[IOAPIC_NUM_PINS];
	/* An assertion merged into an earlier one instead of sending its own
	 * message: a level line rising while Remote IRR is still set (the EOI
	 * re-delivers it), or an edge entry asserted again while its line is
	 * still asserted (no new edge exists, so the one message already sent
	 * stands for both). Real hardware also ignores edges while Delivery
	 * Status is pending (DS §3.2.4); we send synchronously, so never. */
	uint64_t coalesced[IOAPIC_NUM_PINS];
	/* An assertion while masked: edges are dropped, levels are held and
	 * sent on unmask. */
	uint64_t masked[IOAPIC_NUM_PINS];
	/* Remote IRR cleared by an EOI (broadcast or the EOI register). */
	uint64_t eoi[IOAPIC_NUM_PINS];
	/* An EOI-triggered re-delivery postponed to a recheck by the storm guard. */
	uint64_t storm_deferred[IOAPIC_NUM_PINS];
	/* A re-delivery postponed to a recheck because the broadcast EOI that
	 * cleared Remote IRR is not trusted (see ioapic_set_broadcast_eoi_trusted). */
	uint64_t eoi_deferred[IOAPIC_NUM_PINS];
	/* An assertion dropped because the entry has a reserved delivery mode. */
	uint64_t invalid[IOAPIC_NUM_PINS];
};

enum ioapic_set_result {
	IOAPIC_NO_CHANGE, /* deassertion, or a level line asserted again */
	IOAPIC_DELIVERED, /* a message was sent */
	IOAPIC_COALESCED, /* merged into an earlier assertion (see stats) */
	IOAPIC_MASKED,    /* entry masked: edge dropped, level held */
	IOAPIC_INVALID,   /* pin out of range, or reserved delivery mode */
};

struct ioapic_pin {
	/* Stored entry: writable bits plus Remote IRR. Delivery Status is not
	 * stored; it is derived on read (see the top of this file). */
	uint64_t rte;
	bool line;	      /* electrical input level, as last set */
	bool recheck_pending; /* delivery held until ioapic_recheck() */
	unsigned storm_count; /* EOI re-deliveries since the line last deasserted */
};

struct ioapic {
	const struct ioapic_ops *ops;
	void *opaque;
	uint8_t id;	  /* ID register bits 27:24 (4 bits) */
	uint8_t reset_id; /* the ID given to ioapic_init(), restored on reset */
	uint8_t ioregsel; /* selected indirect register (DS §3.1.1: bits 7:0) */
	struct ioapic_pin pins[IOAPIC_NUM_PINS];
	unsigned storm_threshold;
	uint64_t storm_holdoff_ns;
	bool broadcast_eoi_trusted;
	struct ioapic_stats stats;
};

#define IOAPIC_DEFAULT_STORM_THRESHOLD 10000
#define IOAPIC_DEFAULT_STORM_HOLDOFF_NS 100000 /* 100 us */

/* Zeroes the statistics, sets default policy, then resets. No callbacks. */
void ioapic_init(struct ioapic *io, const struct ioapic_ops *ops, void *opaque, uint8_t id);
/* Power-on state: all entries masked. Calls entry_changed for every pin. */
void ioapic_reset(struct ioapic *io);

/*
 * Sets the electrical input level of pin; the entry's polarity decides
 * whether that is asserted. Reprogramming an entry never fabricates an
 * edge, so edge entries deliver only from a deasserted-to-asserted call.
 */
enum ioapic_set_result ioapic_set_irq(struct ioapic *io, unsigned pin, bool level);

uint32_t ioapic_mmio_read(struct ioapic *io, uint64_t offset, unsigned size);
void ioapic_mmio_write(struct ioapic *io, uint64_t offset, uint64_t value, unsigned size);

/* EOI broadcast from a local APIC (trusted unless told otherwise). */
void ioapic_eoi_broadcast(struct ioapic *io, uint8_t vector);
/* The time asked for with schedule_recheck came (early or stale calls are harmless). */
void ioapic_recheck(struct ioapic *io, unsigned pin);

/*
 * The MSI the entry would send now (for the VMM's route mirror); false if
 * pin is out of range. *masked is also true for reserved delivery modes;
 * *level_triggered is the effective trigger (false for SMI/NMI/INIT/ExtINT).
 * masked and level_triggered may be NULL.
 */
bool ioapic_entry_msi(const struct ioapic *io, unsigned pin, struct ioapic_msi *msg, bool *masked,
		      bool *level_triggered);
/* The entry as the guest would read it (including Delivery Status); 0 if out of range. */
uint64_t ioapic_redirection_entry(const struct ioapic *io, unsigned pin);

/*
 * More than threshold consecutive EOI-triggered re-deliveries of a level
 * line that never deasserted are each postponed by holdoff_ns (a recheck),
 * so a stuck line is rate-limited to one message per holdoff until it
 * deasserts. (QEMU instead restarts its count after each pause.) Untrusted
 * broadcast EOIs are always postponed and do not count. threshold UINT_MAX
 * disables the guard. Defaults: 10000 and 100 us.
 */
void ioapic_set_storm_guard(struct ioapic *io, unsigned threshold, uint64_t holdoff_ns);
/*
 * false: broadcast EOIs may arrive before the guest handled the interrupt
 * (nested KVM reports them at injection). They still clear Remote IRR, but
 * a still-asserted line is re-delivered only after the storm holdoff.
 */
void ioapic_set_broadcast_eoi_trusted(struct ioapic *io, bool trusted);
const struct ioapic_stats *ioapic_stats(const struct ioapic *io);

/*
 * A read-only, decoded copy of the whole IOAPIC, for diagnostics (irqvm's
 * interrupt-state dump, like QEMU's `info irq`/`info ioapic`). Taking it
 * changes nothing (IOREGSEL included).
 */
struct ioapic_pin_snapshot {
	uint64_t rte;             /* the entry as the guest reads it (Delivery Status included) */
	uint8_t vector;
	uint8_t dest;             /* bits 63:56, physical APIC ID or logical mask */
	enum ioapic_delivery_mode delivery_mode;
	bool dest_logical;
	bool level_triggered;     /* the trigger bit as written */
	bool effective_level;     /* level semantics apply (not SMI/NMI/INIT/ExtINT) */
	bool active_low;
	bool masked;
	bool remote_irr;
	bool delivery_status;
	bool line;                /* electrical input level */
	bool asserted;            /* line after polarity */
	bool recheck_pending;     /* a delivery is held for ioapic_recheck() */
	unsigned storm_count;     /* EOI re-deliveries since the line last deasserted */
};

struct ioapic_snapshot {
	uint8_t id;
	uint8_t ioregsel;
	uint32_t version;         /* the version register: version and max redirection entry */
	unsigned nr_pins;
	unsigned storm_threshold;
	uint64_t storm_holdoff_ns;
	bool broadcast_eoi_trusted;
	struct ioapic_pin_snapshot pins[IOAPIC_NUM_PINS];
};

void ioapic_snapshot(const struct ioapic *io, struct ioapic_snapshot *out);
/* "fixed", "lowest", "smi", "reserved3", "nmi", "init", "reserved6", "extint". */
const char *ioapic_delivery_mode_name(enum ioapic_delivery_mode mode);

#endif /* IRQVM_IRQCHIP_IOAPIC_H */
