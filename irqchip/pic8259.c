/* SPDX-License-Identifier: MIT */
/*
 * Intel 8259A PIC pair (PC/AT wiring) and the ELCR.
 *
 * Section names refer to the Intel 8259A datasheet (order number 231468).
 *
 * Deliberate differences from the datasheet, all for the sake of a VMM:
 *  - Edge-triggered requests are latched. On the real chip the IR input must
 *    stay high until the first INTA pulse ("Edge and Level Triggered
 *    Modes"), otherwise the CPU gets a default IR7. Emulated devices often
 *    pulse a line (raise then lower within one call chain), so here a rising
 *    edge sets IRR and only an INTA, a poll or ICW1 clears it. Level-
 *    triggered requests do vanish with the line, giving the default IR7.
 *  - MCS-80/85 mode (uPM = 0, which ICW1 without IC4 also selects) is
 *    accepted and stored, but the acknowledge cycle always returns an
 *    8086-style vector (ICW2 bits 7-3 | level).
 *  - INT is held low while a chip is in its ICW sequence; the datasheet
 *    does not say what an uninitialized chip drives.
 *  - Power-on state (undefined on the real part) is: all inputs masked,
 *    PC cascade wiring, vector bases 0x08 / 0x70.
 */
#include "irqchip/pic8259.h"

#include <stddef.h>
#include <string.h>

#define NO_IRQ (-1)

static unsigned chip_first_irq(const struct pic8259_chip *chip)
{
	return chip->is_slave ? 8 : 0;
}

static uint8_t chip_vector_base(const struct pic8259_chip *chip)
{
	/* "Initialization Command Words", ICW2: T7-T3; A10-A8 are ignored in 8086 mode. */
	return chip->icw2 & 0xf8;
}

/* Inputs whose IRR latch is transparent (level triggered): LTIM or ELCR. */
static uint8_t chip_level_mask(const struct pic8259_chip *chip)
{
	return chip->ltim ? 0xff : chip->elcr;
}

/* Level-triggered IRR bits simply mirror their input lines. */
static void chip_sync_level_irr(struct pic8259_chip *chip)
{
	uint8_t level = chip_level_mask(chip);

	chip->irr = (chip->irr & ~level) | (chip->lines & level);
}

/* A master input with a slave behind it (ICW3), which matters only in cascade mode. */
static bool chip_has_slave_on(const struct pic8259_chip *chip, unsigned level)
{
	return !chip->is_slave && !chip->single && (chip->icw3 & (1u << level));
}

/*
 * The priority resolver ("Fully Nested Mode", "Special Mask Mode", "The
 * Special Fully Nested Mode"). Walks the levels from highest to lowest
 * priority and returns the level the chip would present to the CPU, or
 * NO_IRQ.
 *
 *  - Normal mode: an ISR bit blocks its own level and everything below.
 *  - Special mask mode: "when a mask bit is set in OCW1, it inhibits further
 *    interrupts at that level and enables interrupts from all other levels
 *    (lower as well as higher) that are not masked", so ISR bits block
 *    nothing below them. A level still in service is not offered again
 *    (the chip cannot nest a level into itself; a routine that wants that
 *    must EOI first).
 *  - Special fully nested mode on the master: a slave input in service
 *    still lets a new request from that slave through (the slave only
 *    raises INT again for a higher level than the one it is servicing);
 *    lower master levels stay blocked.
 */
static int chip_resolve(const struct pic8259_chip *chip)
{
	uint8_t requests = chip->irr & ~chip->imr;

	if (chip->init_step != PIC8259_READY)
		return NO_IRQ;

	for (unsigned i = 1; i <= 8; i++) {
		unsigned level = (chip->lowest_priority + i) & 7;
		uint8_t bit = (uint8_t)(1u << level);

		if (chip->isr & bit) {
			if (chip->sfnm && chip_has_slave_on(chip, level) && (requests & bit))
				return (int)level;
			if (chip->special_mask)
				continue;
			return NO_IRQ;
		}
		if (requests & bit)
			return (int)level;
	}
	return NO_IRQ;
}

static bool chip_output(const struct pic8259_chip *chip)
{
	return chip_resolve(chip) != NO_IRQ;
}

/* The in-service level of highest priority, the target of a non-specific EOI. */
static int chip_highest_in_service(const struct pic8259_chip *chip)
{
	for (unsigned i = 1; i <= 8; i++) {
		unsigned level = (chip->lowest_priority + i) & 7;

		if (chip->isr & (1u << level))
			return (int)level;
	}
	return NO_IRQ;
}

/* Drives one IR input; keeps the statistics for ISA IRQ (first_irq + level). */
static enum pic8259_set_result chip_set_line(struct pic8259 *pic, struct pic8259_chip *chip,
					     unsigned level, bool high)
{
	uint8_t bit = (uint8_t)(1u << level);
	bool was_high = chip->lines & bit;
	unsigned irq = chip_first_irq(chip) + level;

	if (high)
		chip->lines |= bit;
	else
		chip->lines &= ~bit;

	if (!high || was_high)
		goto out_no_request;

	/* A low-to-high transition. */
	if (!(chip_level_mask(chip) & bit) && (chip->irr & bit)) {
		pic->stats.coalesced[irq]++;
		return PIC8259_COALESCED;
	}
	chip->irr |= bit;
	pic->stats.latched[irq]++;
	return PIC8259_LATCHED;

out_no_request:
	/* "Edge and Level Triggered Modes": a level request vanishes with its line. */
	if (chip_level_mask(chip) & bit)
		chip->irr = (chip->irr & ~bit) | (chip->lines & bit);
	return PIC8259_NO_CHANGE;
}

static void chip_end_of_interrupt(struct pic8259 *pic, struct pic8259_chip *chip,
				  unsigned level)
{
	uint8_t bit = (uint8_t)(1u << level);

	if (chip->isr & bit) {
		chip->isr &= ~bit;
		pic->stats.eoi[chip_first_irq(chip) + level]++;
	}
}

/*
 * What the chip does for an acknowledged level ("Interrupt Sequence"): the
 * ISR bit is set and the IRR bit reset. A level-triggered IRR bit is set
 * again at once while its input is high, so it is left alone. In AEOI mode
 * the ISR bit is cleared again at the end of the sequence ("Automatic End
 * of Interrupt (AEOI) Mode"), with rotation if rotate-in-AEOI is on
 * ("Automatic Rotation").
 */
static void chip_acknowledge(struct pic8259 *pic, struct pic8259_chip *chip, unsigned level)
{
	uint8_t bit = (uint8_t)(1u << level);
	unsigned irq = chip_first_irq(chip) + level;

	if (!(chip_level_mask(chip) & bit))
		chip->irr &= ~bit;
	pic->stats.acked[irq]++;
	if (chip->aeoi) {
		pic->stats.eoi[irq]++;
		if (chip->rotate_in_aeoi)
			chip->lowest_priority = (uint8_t)level;
	} else {
		chip->isr |= bit;
	}
}

/*
 * Propagates the slave's INT to master IR2 and reports a change of the
 * master's INT pin. After the slave acknowledged a level (an INTA cascade
 * cycle, or a poll of the slave, which the datasheet treats as an
 * acknowledge), the cascade link is shown a fresh edge if the slave still
 * has something to deliver (possible with AEOI or special mask mode on the
 * slave): the slave's INT never dropped, so an edge-triggered master IR2
 * would otherwise sit on an empty IRR bit and the request would be stranded.
 */
static void update_outputs(struct pic8259 *pic, bool slave_was_acknowledged)
{
	bool slave_int = chip_output(&pic->slave);
	bool master_int;

	if (slave_was_acknowledged)
		chip_set_line(pic, &pic->master, PIC8259_CASCADE_IRQ, false);
	chip_set_line(pic, &pic->master, PIC8259_CASCADE_IRQ, slave_int);

	master_int = chip_output(&pic->master);
	if (master_int != pic->output) {
		pic->output = master_int;
		if (pic->output_changed)
			pic->output_changed(pic->opaque, master_int);
	}
}

/* ICW1 ("Initialization Command Words", items a-f). */
static void chip_write_icw1(struct pic8259_chip *chip, uint8_t value)
{
	chip->ltim = value & 0x08;
	chip->single = value & 0x02;
	chip->ic4 = value & 0x01;
	/* ADI (bit 2) and A7-A5 (bits 7-5) only matter in MCS-80/85 mode: ignored. */

	/*
	 * a. The edge sense circuit is reset: an edge-triggered input that is
	 *    already high must go low and high again. Its line level is kept,
	 *    so re-asserting a high line is not a new edge.
	 */
	chip->irr = 0;
	chip_sync_level_irr(chip);
	chip->imr = 0;           /* b. */
	chip->isr = 0;
	chip->lowest_priority = 7; /* c. IR7 lowest */
	chip->icw3 = 7;          /* d. slave mode address 7 */
	chip->special_mask = false; /* e. */
	chip->read_isr = false;
	chip->poll = false;
	/* f. without IC4 every ICW4 function is zero; with IC4, ICW4 sets them. */
	chip->upm = false;
	chip->aeoi = false;
	chip->ms = false;
	chip->buf = false;
	chip->sfnm = false;
	/* Not in the datasheet's list; a re-initialised chip starts without it. */
	chip->rotate_in_aeoi = false;
	chip->init_step = PIC8259_WANT_ICW2;
}

/* ICW2-ICW4: every odd-port write while the sequence is in progress. */
static void chip_write_icw(struct pic8259_chip *chip, uint8_t value)
{
	switch (chip->init_step) {
	case PIC8259_WANT_ICW2:
		chip->icw2 = value;
		if (!chip->single)
			chip->init_step = PIC8259_WANT_ICW3;
		else
			chip->init_step = chip->ic4 ? PIC8259_WANT_ICW4 : PIC8259_READY;
		break;
	case PIC8259_WANT_ICW3:
		/* Master: slave bitmap. Slave: ID in bits 2-0 (bits 7-3 are 0 by spec; ignored). */
		chip->icw3 = chip->is_slave ? (value & 7) : value;
		chip->init_step = chip->ic4 ? PIC8259_WANT_ICW4 : PIC8259_READY;
		break;
	case PIC8259_WANT_ICW4:
		/* Bits 7-5 are 0 by spec and ignored. */
		chip->upm = value & 0x01;
		chip->aeoi = value & 0x02;
		chip->ms = value & 0x04;
		chip->buf = value & 0x08;
		chip->sfnm = value & 0x10;
		chip->init_step = PIC8259_READY;
		break;
	case PIC8259_READY:
		break;
	}
}

/* OCW2 ("Operation Command Words", OCW2: R, SL, EOI, L2-L0). */
static void chip_write_ocw2(struct pic8259 *pic, struct pic8259_chip *chip, uint8_t value)
{
	unsigned named = value & 7;
	int level;

	switch (value >> 5) {
	case 0: /* rotate in AEOI mode (clear) */
		chip->rotate_in_aeoi = false;
		break;
	case 1: /* non-specific EOI */
		level = chip_highest_in_service(chip);
		if (level != NO_IRQ)
			chip_end_of_interrupt(pic, chip, (unsigned)level);
		break;
	case 2: /* no operation */
		break;
	case 3: /* specific EOI */
		chip_end_of_interrupt(pic, chip, named);
		break;
	case 4: /* rotate in AEOI mode (set) */
		chip->rotate_in_aeoi = true;
		break;
	case 5: /* rotate on non-specific EOI: the level just ended becomes lowest */
		level = chip_highest_in_service(chip);
		if (level != NO_IRQ) {
			chip_end_of_interrupt(pic, chip, (unsigned)level);
			chip->lowest_priority = (uint8_t)level;
		}
		break;
	case 6: /* set priority: named level becomes lowest */
		chip->lowest_priority = (uint8_t)named;
		break;
	case 7: /* rotate on specific EOI */
		chip_end_of_interrupt(pic, chip, named);
		chip->lowest_priority = (uint8_t)named;
		break;
	}
}

/* OCW3 (ESMM, SMM, P, RR, RIS). Bit 7 should be 0 and is ignored. */
static void chip_write_ocw3(struct pic8259_chip *chip, uint8_t value)
{
	if (value & 0x40)
		chip->special_mask = value & 0x20;
	/* "Poll Command": P overrides RR/RIS for the next read only. */
	if (value & 0x04)
		chip->poll = true;
	if (value & 0x02)
		chip->read_isr = value & 0x01;
}

/*
 * A0 = 0 write. D4 = 1 is always ICW1 and (re)starts initialization. OCW2/
 * OCW3 arriving while the ICW sequence is still waiting for ICW2-4 are
 * dropped: the datasheet defines no meaning for them there, and the chip is
 * not yet programmed.
 */
static void chip_write_command(struct pic8259 *pic, struct pic8259_chip *chip, uint8_t value)
{
	if (value & 0x10)
		chip_write_icw1(chip, value);
	else if (chip->init_step != PIC8259_READY)
		return;
	else if (value & 0x08)
		chip_write_ocw3(chip, value);
	else
		chip_write_ocw2(pic, chip, value);
}

/* A0 = 1 write: ICW2-4 while initializing (they consume it), else OCW1. */
static void chip_write_data(struct pic8259_chip *chip, uint8_t value)
{
	if (chip->init_step != PIC8259_READY)
		chip_write_icw(chip, value);
	else
		chip->imr = value;
}

/*
 * "Poll Command": the read acts as an interrupt acknowledge for this chip
 * alone (ISR set, IRR reset, AEOI honoured) and returns I (bit 7) and the
 * level W2-W0. A master level with a slave behind it is reported as such;
 * software then polls the slave.
 */
static uint8_t chip_poll(struct pic8259 *pic, struct pic8259_chip *chip)
{
	int level = chip_resolve(chip);

	chip->poll = false;
	if (level == NO_IRQ)
		return 0;
	chip_acknowledge(pic, chip, (unsigned)level);
	return (uint8_t)(0x80 | level);
}

/*
 * The datasheet's poll consumes "the next RD pulse" to the chip, whichever
 * A0 it has, so a pending poll answers a read of either port.
 */
static uint8_t chip_read(struct pic8259 *pic, struct pic8259_chip *chip, bool data_port)
{
	uint8_t value;

	if (chip->poll) {
		value = chip_poll(pic, chip);
		/* A slave poll that acknowledged a level re-latches master IR2 like INTA. */
		update_outputs(pic, chip->is_slave && value);
		return value;
	}
	if (data_port)
		return chip->imr;
	return chip->read_isr ? chip->isr : chip->irr;
}

static void chip_write_elcr(struct pic8259_chip *chip, uint8_t value)
{
	chip->elcr = value & chip->elcr_mask;
	/* Lines turned level now mirror their input; lines turned edge keep any latched request. */
	chip_sync_level_irr(chip);
}

static void chip_power_on(struct pic8259_chip *chip, bool is_slave)
{
	memset(chip, 0, sizeof(*chip));
	chip->is_slave = is_slave;
	chip->elcr_mask = is_slave ? PIC8259_ELCR_SLAVE_MASK : PIC8259_ELCR_MASTER_MASK;
	chip->imr = 0xff;
	chip->icw2 = is_slave ? 0x70 : 0x08;
	chip->icw3 = is_slave ? PIC8259_CASCADE_IRQ : (1u << PIC8259_CASCADE_IRQ);
	chip->lowest_priority = 7;
	chip->ic4 = true;
	chip->upm = true;
	chip->init_step = PIC8259_READY;
}

void pic8259_init(struct pic8259 *pic, void (*output_changed)(void *opaque, bool level),
		  void *opaque)
{
	memset(pic, 0, sizeof(*pic));
	pic->output_changed = output_changed;
	pic->opaque = opaque;
	chip_power_on(&pic->master, false);
	chip_power_on(&pic->slave, true);
	pic->output = false;
}

void pic8259_reset(struct pic8259 *pic)
{
	chip_power_on(&pic->master, false);
	chip_power_on(&pic->slave, true);
	update_outputs(pic, false);
}

enum pic8259_set_result pic8259_set_irq(struct pic8259 *pic, unsigned irq, bool level)
{
	struct pic8259_chip *chip;
	enum pic8259_set_result result;

	/* IRQ2 is the master's cascade input, driven only by the slave's INT. */
	if (irq >= PIC8259_NR_IRQS || irq == PIC8259_CASCADE_IRQ)
		return PIC8259_INVALID;

	chip = irq < 8 ? &pic->master : &pic->slave;
	result = chip_set_line(pic, chip, irq & 7, level);
	update_outputs(pic, false);
	return result;
}

bool pic8259_output(const struct pic8259 *pic)
{
	return chip_output(&pic->master);
}

/*
 * The slave answers a cascade cycle for IR2 if its ICW3 ID is 2 ("Cascade
 * Mode"); a slave programmed in single mode does not look at CAS0-2 and
 * answers any acknowledge it sees.
 */
static bool slave_answers_cascade(const struct pic8259_chip *slave)
{
	return slave->single || (slave->icw3 & 7) == PIC8259_CASCADE_IRQ;
}

/* The slave's half of a cascaded acknowledge: its vector or its default IR7. */
static uint8_t slave_acknowledge(struct pic8259 *pic)
{
	struct pic8259_chip *slave = &pic->slave;
	int level = chip_resolve(slave);

	if (level == NO_IRQ) {
		pic->stats.spurious[1]++;
		return chip_vector_base(slave) | 7;
	}
	chip_acknowledge(pic, slave, (unsigned)level);
	return (uint8_t)(chip_vector_base(slave) | level);
}

uint8_t pic8259_inta(struct pic8259 *pic)
{
	struct pic8259_chip *master = &pic->master;
	int level = chip_resolve(master);
	bool slave_acked = false;
	uint8_t vector;

	if (level == NO_IRQ) {
		/*
		 * "Edge and Level Triggered Modes": the request went away before
		 * INTA, so the chip answers as if IR7 were active, without
		 * setting an ISR bit.
		 */
		pic->stats.spurious[0]++;
		vector = chip_vector_base(master) | 7;
	} else {
		chip_acknowledge(pic, master, (unsigned)level);
		if (!chip_has_slave_on(master, (unsigned)level)) {
			vector = (uint8_t)(chip_vector_base(master) | level);
		} else if (level == PIC8259_CASCADE_IRQ && slave_answers_cascade(&pic->slave)) {
			/* The master's ISR bit is set normally, even if the slave's part is spurious. */
			vector = slave_acknowledge(pic);
			slave_acked = true;
		} else {
			/* The master drives CAS0-2 and nothing answers: the CPU reads an undriven bus. */
			vector = 0xff;
		}
	}
	update_outputs(pic, slave_acked);
	return vector;
}

void pic8259_inta_undo(struct pic8259 *pic, const struct pic8259 *before)
{
	/* INTA changes only the chips' registers and the statistics. */
	pic->master = before->master;
	pic->slave = before->slave;
	pic->stats = before->stats;
	update_outputs(pic, false);
}

uint8_t pic8259_read(struct pic8259 *pic, uint16_t port)
{
	switch (port) {
	case PIC8259_MASTER_CMD:
		return chip_read(pic, &pic->master, false);
	case PIC8259_MASTER_DATA:
		return chip_read(pic, &pic->master, true);
	case PIC8259_SLAVE_CMD:
		return chip_read(pic, &pic->slave, false);
	case PIC8259_SLAVE_DATA:
		return chip_read(pic, &pic->slave, true);
	case PIC8259_ELCR_MASTER:
		return pic->master.elcr;
	case PIC8259_ELCR_SLAVE:
		return pic->slave.elcr;
	default:
		return 0xff;
	}
}

void pic8259_write(struct pic8259 *pic, uint16_t port, uint8_t value)
{
	switch (port) {
	case PIC8259_MASTER_CMD:
		chip_write_command(pic, &pic->master, value);
		break;
	case PIC8259_MASTER_DATA:
		chip_write_data(&pic->master, value);
		break;
	case PIC8259_SLAVE_CMD:
		chip_write_command(pic, &pic->slave, value);
		break;
	case PIC8259_SLAVE_DATA:
		chip_write_data(&pic->slave, value);
		break;
	case PIC8259_ELCR_MASTER:
		chip_write_elcr(&pic->master, value);
		break;
	case PIC8259_ELCR_SLAVE:
		chip_write_elcr(&pic->slave, value);
		break;
	default:
		return;
	}
	update_outputs(pic, false);
}

const struct pic8259_stats *pic8259_stats(const struct pic8259 *pic)
{
	return &pic->stats;
}

static void chip_snapshot(const struct pic8259_chip *chip, struct pic8259_chip_snapshot *out)
{
	*out = (struct pic8259_chip_snapshot){
		.irr = chip->irr,
		.isr = chip->isr,
		.imr = chip->imr,
		.elcr = chip->elcr,
		.lines = chip->lines,
		.vector_base = chip_vector_base(chip),
		.icw3 = chip->icw3,
		.lowest_priority = chip->lowest_priority,
		.highest_priority = (uint8_t)((chip->lowest_priority + 1) & 7),
		.pending_level = chip_resolve(chip),
		.in_service_level = chip_highest_in_service(chip),
		.init_step = chip->init_step,
		.int_output = chip_output(chip),
		.is_slave = chip->is_slave,
		.ltim = chip->ltim,
		.single = chip->single,
		.ic4 = chip->ic4,
		.upm = chip->upm,
		.aeoi = chip->aeoi,
		.ms = chip->ms,
		.buf = chip->buf,
		.sfnm = chip->sfnm,
		.rotate_in_aeoi = chip->rotate_in_aeoi,
		.special_mask = chip->special_mask,
		.read_isr = chip->read_isr,
		.poll = chip->poll,
	};
}

void pic8259_snapshot(const struct pic8259 *pic, struct pic8259_snapshot *out)
{
	chip_snapshot(&pic->master, &out->master);
	chip_snapshot(&pic->slave, &out->slave);
	out->output = pic->output;
}

const char *pic8259_init_step_name(enum pic8259_init_step step)
{
	switch (step) {
	case PIC8259_READY: return "ready";
	case PIC8259_WANT_ICW2: return "icw2";
	case PIC8259_WANT_ICW3: return "icw3";
	case PIC8259_WANT_ICW4: return "icw4";
	}
	return "?";
}
