/* SPDX-License-Identifier: MIT */
/*
 * The 8259A pair (irqchip/pic8259.h) driven as the x86 split irqchip drives
 * it: port reads and writes, ISA line changes, the CPU's acknowledge cycle
 * and reset, in any order the input describes. Checked after every step:
 *
 *  - the INT callback is the truth: it fires only on a change and its last
 *    level is pic8259_output();
 *  - INT high means the master has an unmasked request;
 *  - a masked line never makes INT rise by itself;
 *  - an acknowledge (INTA or poll) never returns a level whose request is
 *    clear or masked, returns IR7 exactly when nothing was pending, and
 *    leaves the ISR bit set outside AEOI;
 *  - no slave request is stranded: whenever the slave drives INT into a
 *    master that could take it, a CPU that acknowledges and EOIs (run on a
 *    copy) gets that request delivered, unless the datasheet itself loses
 *    it (ICW1 resets the master's edge detector; software polled the
 *    master but not yet the slave; a cascade cycle nobody answered).
 */
#include "tests/fuzz/fuzz.h"

#include "irqchip/pic8259.h"

static const uint16_t ports[] = {
	PIC8259_MASTER_CMD, PIC8259_MASTER_DATA, PIC8259_SLAVE_CMD,
	PIC8259_SLAVE_DATA, PIC8259_ELCR_MASTER, PIC8259_ELCR_SLAVE,
};

struct harness {
	struct pic8259 pic;
	bool cb_level;   /* last level reported through output_changed */
	unsigned calls;
	/* The datasheet lets the slave's request on master IR2 be lost: the
	 * no-stranding check is off until the slave's INT drops again. */
	bool ir2_loss_allowed;
};

static void on_output(void *opaque, bool level)
{
	struct harness *h = opaque;

	FUZZ_CHECK(h->calls == 0 || level != h->cb_level, "output_changed(%d) twice", level);
	h->cb_level = level;
	h->calls++;
}

static uint8_t bit(unsigned level)
{
	return (uint8_t)(1u << level);
}

static uint8_t unmasked_requests(const struct pic8259_chip_snapshot *c)
{
	return c->irr & ~c->imr;
}

static bool slave_wired(const struct pic8259_snapshot *s)
{
	return !s->master.single && (s->master.icw3 & bit(PIC8259_CASCADE_IRQ)) &&
	       (s->slave.single || (s->slave.icw3 & 7) == PIC8259_CASCADE_IRQ);
}

/* A CPU that takes every interrupt and EOIs both chips, on a copy. */
static bool drained_copy_delivers_slave(const struct pic8259 *pic)
{
	struct pic8259 copy = *pic;
	struct pic8259_snapshot s;

	copy.output_changed = NULL;
	for (unsigned i = 0; i < 64 && pic8259_output(&copy); i++) {
		pic8259_inta(&copy);
		pic8259_write(&copy, PIC8259_SLAVE_CMD, 0x20);
		pic8259_write(&copy, PIC8259_MASTER_CMD, 0x20);
	}
	for (unsigned i = 0; i < 8; i++) {
		pic8259_write(&copy, PIC8259_SLAVE_CMD, 0x20);
		pic8259_write(&copy, PIC8259_MASTER_CMD, 0x20);
	}
	pic8259_snapshot(&copy, &s);
	if (!s.slave.int_output || !slave_wired(&s) || s.master.init_step != PIC8259_READY ||
	    (s.master.imr & bit(PIC8259_CASCADE_IRQ)))
		return true;
	return s.master.int_output;
}

static void check_state(struct harness *h)
{
	struct pic8259_snapshot s;

	pic8259_snapshot(&h->pic, &s);
	FUZZ_CHECK(h->calls == 0 ? !pic8259_output(&h->pic) : h->cb_level == pic8259_output(&h->pic),
		   "callback level %d, output %d", h->cb_level, pic8259_output(&h->pic));
	FUZZ_CHECK(!s.master.int_output || unmasked_requests(&s.master),
		   "INT high with master IRR %02x IMR %02x", s.master.irr, s.master.imr);
	FUZZ_CHECK(!s.slave.int_output || unmasked_requests(&s.slave),
		   "slave INT high with IRR %02x IMR %02x", s.slave.irr, s.slave.imr);
	if (!(s.master.lines & bit(PIC8259_CASCADE_IRQ)))
		h->ir2_loss_allowed = false;
	FUZZ_CHECK(h->ir2_loss_allowed || drained_copy_delivers_slave(&h->pic),
		   "slave request stranded: slave IRR %02x ISR %02x IMR %02x, master IRR %02x "
		   "ISR %02x IMR %02x", s.slave.irr, s.slave.isr, s.slave.imr, s.master.irr,
		   s.master.isr, s.master.imr);
}

/* The level an acknowledge of chip c must pick, checked against its registers. */
static void check_acked_level(const struct pic8259_chip_snapshot *c, int level, const char *what)
{
	FUZZ_CHECK(c->pending_level == level, "%s acknowledged level %d, resolver had %d", what,
		   level, c->pending_level);
	if (level >= 0)
		FUZZ_CHECK(unmasked_requests(c) & bit((unsigned)level),
			   "%s acknowledged level %d with IRR %02x IMR %02x", what, level, c->irr,
			   c->imr);
}

static void do_inta(struct harness *h)
{
	struct pic8259_snapshot before, after;
	uint8_t vector;

	pic8259_snapshot(&h->pic, &before);
	vector = pic8259_inta(&h->pic);
	pic8259_snapshot(&h->pic, &after);
	if (before.master.pending_level < 0) {
		FUZZ_CHECK(vector == (before.master.vector_base | 7), "spurious vector %02x", vector);
		FUZZ_CHECK(after.master.isr == before.master.isr, "spurious INTA changed ISR");
		return;
	}
	unsigned level = (unsigned)before.master.pending_level;

	check_acked_level(&before.master, (int)level, "master INTA");
	if (!before.master.aeoi)
		FUZZ_CHECK(after.master.isr & bit(level), "master ISR bit %u not set", level);
	bool cascade = !before.master.single && (before.master.icw3 & bit(level));
	if (!cascade) {
		FUZZ_CHECK(vector == (before.master.vector_base | level), "vector %02x for IR%u",
			   vector, level);
		return;
	}
	if (level != PIC8259_CASCADE_IRQ || !slave_wired(&before)) {
		/* Nobody answers the cascade cycle: the request is gone, by the datasheet. */
		FUZZ_CHECK(vector == 0xff, "unanswered cascade cycle gave %02x", vector);
		h->ir2_loss_allowed = true;
		return;
	}
	if (before.slave.pending_level < 0) {
		FUZZ_CHECK(vector == (before.slave.vector_base | 7), "slave spurious %02x", vector);
		return;
	}
	check_acked_level(&before.slave, before.slave.pending_level, "slave INTA");
	FUZZ_CHECK(vector == (before.slave.vector_base | (unsigned)before.slave.pending_level),
		   "slave vector %02x for IR%d", vector, before.slave.pending_level);
	if (!before.slave.aeoi)
		FUZZ_CHECK(after.slave.isr & bit((unsigned)before.slave.pending_level),
			   "slave ISR bit not set");
}

static void do_read(struct harness *h, uint16_t port)
{
	struct pic8259_snapshot before;
	const struct pic8259_chip_snapshot *c = NULL;
	uint8_t value;

	pic8259_snapshot(&h->pic, &before);
	if (port == PIC8259_MASTER_CMD || port == PIC8259_MASTER_DATA)
		c = &before.master;
	else if (port == PIC8259_SLAVE_CMD || port == PIC8259_SLAVE_DATA)
		c = &before.slave;
	value = pic8259_read(&h->pic, port);
	if (!c || !c->poll)
		return;
	/* "Poll Command": I in bit 7, the level in W2-W0, nothing else. */
	FUZZ_CHECK((value & 0x78) == 0 && (value == 0 || (value & 0x80)), "poll read %02x", value);
	check_acked_level(c, value ? value & 7 : -1, c->is_slave ? "slave poll" : "master poll");
	if (!c->is_slave && value == (0x80 | PIC8259_CASCADE_IRQ) && slave_wired(&before))
		h->ir2_loss_allowed = true; /* until software polls the slave */
	if (c->is_slave && value)
		h->ir2_loss_allowed = false;
}

static void do_write(struct harness *h, uint16_t port, uint8_t value)
{
	struct pic8259_snapshot before;

	pic8259_snapshot(&h->pic, &before);
	pic8259_write(&h->pic, port, value);
	/* ICW1 resets the edge detector: a slave INT that stays high is lost. */
	if (port == PIC8259_MASTER_CMD && (value & 0x10) &&
	    (before.master.lines & bit(PIC8259_CASCADE_IRQ)))
		h->ir2_loss_allowed = true;
}

static void do_set_irq(struct harness *h, unsigned irq, bool level)
{
	struct pic8259_snapshot before;
	bool was_high = pic8259_output(&h->pic);
	bool masked;

	pic8259_snapshot(&h->pic, &before);
	masked = irq < 8 ? (before.master.imr & bit(irq & 7)) : (before.slave.imr & bit(irq & 7));
	pic8259_set_irq(&h->pic, irq, level);
	if (masked && irq < PIC8259_NR_IRQS)
		FUZZ_CHECK(was_high || !pic8259_output(&h->pic), "masked IRQ%u raised INT", irq);
}

/* The full ICW sequence for both chips, with fuzzed ICW1/ICW4 mode bits. */
static void do_init(struct harness *h, struct fuzz_in *in)
{
	uint8_t icw1 = (uint8_t)(0x11 | (fi_u8(in) & 0x08)); /* LTIM may vary */
	uint8_t micw4 = (uint8_t)(0x01 | (fi_u8(in) & 0x12)); /* AEOI, SFNM */
	uint8_t sicw4 = (uint8_t)(0x01 | (fi_u8(in) & 0x12));

	do_write(h, PIC8259_MASTER_CMD, icw1);
	do_write(h, PIC8259_MASTER_DATA, 0x20);
	do_write(h, PIC8259_MASTER_DATA, 0x04);
	do_write(h, PIC8259_MASTER_DATA, micw4);
	do_write(h, PIC8259_SLAVE_CMD, icw1);
	do_write(h, PIC8259_SLAVE_DATA, 0x28);
	do_write(h, PIC8259_SLAVE_DATA, 0x02);
	do_write(h, PIC8259_SLAVE_DATA, sicw4);
	do_write(h, PIC8259_MASTER_DATA, 0x00);
	do_write(h, PIC8259_SLAVE_DATA, 0x00);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct harness h = { 0 };

	pic8259_init(&h.pic, on_output, &h);
	while (fi_more(&in)) {
		uint8_t op = fi_u8(&in);
		uint16_t port = (op & 0x80) ? fi_u16(&in) : ports[fi_pick(&in, 6)];

		switch (op & 7) {
		case 0:
		case 1:
			do_write(&h, port, fi_u8(&in));
			break;
		case 2:
			do_read(&h, port);
			break;
		case 3:
		case 4: {
			uint8_t v = fi_u8(&in);

			do_set_irq(&h, v % 18u, v & 0x80);
			break;
		}
		case 5:
			do_inta(&h);
			break;
		case 6:
			do_init(&h, &in);
			break;
		case 7:
			if (op & 0x40) {
				pic8259_reset(&h.pic);
				h.ir2_loss_allowed = false;
			} else {
				do_read(&h, port);
			}
			break;
		}
		check_state(&h);
	}
	return 0;
}
