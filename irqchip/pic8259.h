/* SPDX-License-Identifier: MIT */
/*
 * The PC/AT pair of Intel 8259A programmable interrupt controllers: a master
 * at ports 0x20/0x21 and a slave at 0xa0/0xa1 whose INT output is wired to
 * the master's IR2, plus the PIIX-style edge/level control registers (ELCR)
 * at 0x4d0/0x4d1.
 *
 * A pure state machine: ISA IRQ line changes and port accesses go in, the
 * master's INT pin level comes out through a callback, and the CPU's
 * interrupt acknowledge cycle is one call (pic8259_inta) returning the
 * vector. The caller serialises every call; nothing here locks.
 *
 * Section names in comments refer to the Intel 8259A datasheet
 * (order number 231468).
 */
#ifndef IRQVM_IRQCHIP_PIC8259_H
#define IRQVM_IRQCHIP_PIC8259_H

#include <stdbool.h>
#include <stdint.h>

#define PIC8259_MASTER_CMD 0x20  /* A0 = 0: ICW1, OCW2, OCW3; reads IRR/ISR/poll */
#define PIC8259_MASTER_DATA 0x21 /* A0 = 1: ICW2-4, OCW1 (IMR) */
#define PIC8259_SLAVE_CMD 0xa0
#define PIC8259_SLAVE_DATA 0xa1
#define PIC8259_ELCR_MASTER 0x4d0
#define PIC8259_ELCR_SLAVE 0x4d1

#define PIC8259_NR_IRQS 16
#define PIC8259_CASCADE_IRQ 2 /* master input driven by the slave's INT */

/*
 * ELCR bits that may be set: IRQ0 (timer), IRQ1 (keyboard), IRQ2 (cascade),
 * IRQ8 (RTC) and IRQ13 (FPU error) are always edge triggered on a PC.
 */
#define PIC8259_ELCR_MASTER_MASK 0xf8
#define PIC8259_ELCR_SLAVE_MASK 0xde

struct pic8259_stats {             /* per ISA IRQ 0..15 */
	uint64_t latched[16];   /* a request newly set an IRR bit */
	uint64_t coalesced[16]; /* an edge arrived while IRR was already set (lost/merged) */
	uint64_t acked[16];     /* INTA (or a poll) acknowledged this IRQ: ISR bit set, or AEOI */
	uint64_t eoi[16];       /* an EOI (specific or non-specific, or AEOI) cleared this IRQ's ISR bit */
	uint64_t spurious[2];   /* spurious IRQ7 (master) / IRQ15 (slave) vectors returned */
};

enum pic8259_set_result {
	PIC8259_NO_CHANGE, /* no new request (line unchanged, falling, or level line already high) */
	PIC8259_LATCHED,   /* the IRR bit went from 0 to 1 */
	PIC8259_COALESCED, /* rising edge while the IRR bit was still set: merged */
	PIC8259_INVALID,   /* irq > 15, or 2 (the cascade input is internal) */
};

/* Where a chip is in its initialization sequence ("Initialization Command Words"). */
enum pic8259_init_step {
	PIC8259_READY,     /* operational: odd-port writes are OCW1 */
	PIC8259_WANT_ICW2,
	PIC8259_WANT_ICW3,
	PIC8259_WANT_ICW4,
};

/* One 8259A. Bit n of each mask is input IRn. */
struct pic8259_chip {
	uint8_t irr;   /* interrupt request register */
	uint8_t isr;   /* in-service register */
	uint8_t imr;   /* interrupt mask register (OCW1) */
	uint8_t lines; /* current IR input levels, for edge detection and level mode */
	uint8_t elcr;  /* edge/level control: 1 = level triggered (only elcr_mask bits) */
	uint8_t elcr_mask;
	uint8_t icw2;  /* vector base in bits 7-3 (8086 mode) */
	uint8_t icw3;  /* master: bitmap of inputs with a slave; slave: its ID in bits 2-0 */
	uint8_t lowest_priority; /* IR level that currently has the lowest priority */
	enum pic8259_init_step init_step;
	bool is_slave;   /* fixed by the board wiring (SP/EN pin), not by ICW4 */
	bool ltim;       /* ICW1: all inputs level triggered */
	bool single;     /* ICW1 SNGL: no cascade, no ICW3 */
	bool ic4;        /* ICW1: an ICW4 follows */
	bool upm;        /* ICW4 uPM: 8086 mode */
	bool aeoi;       /* ICW4 automatic end of interrupt */
	bool ms;         /* ICW4 M/S (only meaningful with BUF; stored) */
	bool buf;        /* ICW4 buffered mode (stored) */
	bool sfnm;       /* ICW4 special fully nested mode */
	bool rotate_in_aeoi; /* OCW2 rotate in automatic EOI mode */
	bool special_mask;   /* OCW3 special mask mode */
	bool read_isr;       /* OCW3: even-port reads return ISR (else IRR) */
	bool poll;           /* OCW3 poll command pending for the next read */
};

struct pic8259 {
	struct pic8259_chip master;
	struct pic8259_chip slave;
	bool output; /* master INT level last reported through output_changed */
	void (*output_changed)(void *opaque, bool level);
	void *opaque;
	struct pic8259_stats stats;
};

/*
 * Sets up the pair in its power-on state and zeroes the statistics.
 * output_changed may be NULL. No callback is made from here.
 */
void pic8259_init(struct pic8259 *pic, void (*output_changed)(void *opaque, bool level),
		  void *opaque);

/*
 * Power-on state: every register cleared, all inputs masked (IMR = 0xff),
 * all lines low and edge triggered, the chips wired and configured like a
 * PC (cascade on IR2, 8086 mode, vectors 0x08 and 0x70) so that a guest
 * that skips initialization still gets sane vectors. Statistics are kept.
 */
void pic8259_reset(struct pic8259 *pic);

/* Drives ISA IRQ line irq (0..15) to level. */
enum pic8259_set_result pic8259_set_irq(struct pic8259 *pic, unsigned irq, bool level);

/* The master's INT pin right now: true means the CPU should run pic8259_inta(). */
bool pic8259_output(const struct pic8259 *pic);

/*
 * One complete interrupt acknowledge cycle (both INTA pulses) as the CPU
 * runs it: resolves priority, sets ISR (or performs AEOI), clears an edge
 * request, runs the cascade cycle through the slave for IR2, and returns
 * the vector. Returns the chip's IR7 vector when nothing is pending
 * (spurious interrupt), and 0xff (undriven bus) if the master selects a
 * slave that does not answer.
 */
uint8_t pic8259_inta(struct pic8259 *pic);

/*
 * Takes back the INTA cycle that turned *before into the pair's current
 * state, for a CPU that did not take the vector after all (the VMM could
 * not inject it). before is a copy of the pair made just before
 * pic8259_inta, with no other call in between. The cycle then never
 * happened: an edge request is back in IRR, no ISR bit is left set (an
 * ISR bit without a handler would block its level and every lower one
 * until an EOI that never comes), an AEOI rotation and the statistics are
 * reverted. If the cycle changed the INT level, output_changed reports the
 * old level again.
 */
void pic8259_inta_undo(struct pic8259 *pic, const struct pic8259 *before);

/* Port accesses at absolute port numbers; other ports read 0xff / are ignored. */
uint8_t pic8259_read(struct pic8259 *pic, uint16_t port);
void pic8259_write(struct pic8259 *pic, uint16_t port, uint8_t value);

const struct pic8259_stats *pic8259_stats(const struct pic8259 *pic);

/*
 * A read-only, decoded copy of one chip's state, for diagnostics (irqvm's
 * interrupt-state dump, like QEMU's `info pic`). Taking it changes nothing:
 * no poll, no acknowledge, no read-register switch.
 */
struct pic8259_chip_snapshot {
	uint8_t irr, isr, imr, elcr, lines;
	uint8_t vector_base;      /* ICW2 bits 7-3: the vector of IR0 */
	uint8_t icw3;             /* master: slave bitmap; slave: its cascade ID */
	uint8_t lowest_priority;  /* IR level with the lowest priority (rotation state) */
	uint8_t highest_priority; /* the level after it, which has the highest */
	int pending_level;        /* what the priority resolver presents now; -1 none */
	int in_service_level;     /* highest-priority ISR level (a non-specific EOI's target); -1 */
	enum pic8259_init_step init_step;
	bool int_output;          /* this chip's INT pin now */
	bool is_slave;
	bool ltim, single, ic4;   /* ICW1 */
	bool upm, aeoi, ms, buf, sfnm; /* ICW4 */
	bool rotate_in_aeoi;      /* OCW2 */
	bool special_mask, read_isr, poll; /* OCW3 */
};

struct pic8259_snapshot {
	struct pic8259_chip_snapshot master, slave;
	bool output; /* the master's INT as last reported through output_changed */
};

void pic8259_snapshot(const struct pic8259 *pic, struct pic8259_snapshot *out);
/* "ready", "icw2", "icw3", "icw4". */
const char *pic8259_init_step_name(enum pic8259_init_step step);

#endif
