/* SPDX-License-Identifier: MIT */
/*
 * 8259A PIC checks. The test device drives ISA lines; the PIC reaches the
 * boot CPU through LINT0 (ExtINT). Every test starts from a freshly
 * initialised PIC (vectors 0x20-0x2f, all lines masked, no level
 * triggering) and leaves it that way; the IOAPIC pins of the lines used
 * here stay masked (ioapic_init() masked them all).
 *
 * A handler records "enter irq" / "exit irq" events, so order and nesting
 * can be compared with what the datasheet demands. Waiting is "sti; hlt"
 * with a LAPIC-timer watchdog (lapic_idle_until).
 */
#include "arch.h"
#include "ioapic.h"
#include "irqtest.h"
#include "kstring.h"
#include "lapic.h"
#include "pic.h"
#include "smp_x86.h"
#include "tap.h"
#include "test.h"
#include "testdev.h"
#include "x86.h"

#define WAIT_US 1000000u /* hang guard for an interrupt that must come: only reached on failure */
#define QUIET_US 2000u  /* to show that nothing (more) comes */
#define MAX_EVENTS 32u
#define EV_EXIT 0x80u

/* IRQs used: 3, 5, 6, 7 on the master; 10 on the slave (and 15 for its
 * spurious vector). 0 (PIT), 1, 4 (UART) and 2 (cascade) are left alone. */
static const unsigned int used_irqs[] = { 3, 5, 6, 7, 10, 15 };

static struct {
	unsigned int n;
	uint8_t ev[MAX_EVENTS];        /* irq | EV_EXIT */
	uint16_t isr_in_handler[16];   /* PIC ISR seen on entry, per irq */
	unsigned int count[16];
} rec;

/* Optional per-test action run inside the handler, between the events. */
static void (*hook)(unsigned int irq);

static void record(uint8_t e)
{
	if (rec.n < MAX_EVENTS)
		rec.ev[rec.n] = e;
	WRITE_ONCE(rec.n, rec.n + 1);
}

static void recorder(unsigned int irq, void *ctx)
{
	(void)ctx;
	rec.isr_in_handler[irq] = pic_read_isr();
	rec.count[irq]++;
	record((uint8_t)irq);
	if (hook)
		hook(irq);
	record((uint8_t)(irq | EV_EXIT));
}

static unsigned int entries(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < rec.n && i < MAX_EVENTS; i++)
		n += !(rec.ev[i] & EV_EXIT);
	return n;
}

static bool entries_at_least(void *ctx)
{
	return entries() >= (unsigned int)(uintptr_t)ctx;
}

static bool wait_entries(unsigned int n)
{
	return lapic_idle_until(entries_at_least, (void *)(uintptr_t)n, WAIT_US);
}

/* "5 10 x10 x5": the event log for diagnostics and comparisons. */
static void format_events(char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < rec.n && i < MAX_EVENTS && o + 5 < size; i++) {
		uint8_t e = rec.ev[i];
		unsigned int irq = e & ~EV_EXIT;

		if (o)
			buf[o++] = ' ';
		if (e & EV_EXIT)
			buf[o++] = 'x';
		if (irq >= 10)
			buf[o++] = (char)('0' + irq / 10);
		buf[o++] = (char)('0' + irq % 10);
		buf[o] = '\0';
	}
}

static bool expect_events(const char *want)
{
	char got[160];

	format_events(got, sizeof(got));
	return tap_expect(!strcmp(got, want), "events \"%s\", want \"%s\"", got, want);
}

static bool can_run(const char *what)
{
	if (!pic_present() || !testdev_present() || !lapic_present()) {
		tap_skip("no 8259 PIC, test device or local APIC", "%s", what);
		return false;
	}
	return true;
}

static void end(void);

/* Fresh PIC, our handlers on the used IRQs; false (reason recorded) if a
 * vector is taken by someone else. */
static bool begin(bool auto_eoi)
{
	unsigned long flags = arch_irq_save();
	bool ok = true;

	pic_init(auto_eoi);
	pic_set_elcr(0);
	for (unsigned int i = 0; i < ARRAY_SIZE(used_irqs); i++) {
		testdev_set_line(used_irqs[i], false);
		if (!pic_request_irq(used_irqs[i], recorder, NULL, 0))
			ok = tap_expect(false, "vector %#x is taken", PIC_VECTOR_BASE + used_irqs[i]);
	}
	rec = (__typeof__(rec)){ 0 };
	hook = 0;
	arch_irq_restore(flags);
	if (!ok)
		end();
	return ok;
}

static void end(void)
{
	unsigned long flags = arch_irq_save();

	pic_mask_all();
	pic_set_elcr(0);
	for (unsigned int i = 0; i < ARRAY_SIZE(used_irqs); i++) {
		testdev_set_line(used_irqs[i], false);
		pic_free_irq(used_irqs[i]);
	}
	/* A fresh ICW sequence forgets any request latched by the test. */
	pic_init(false);
	hook = 0;
	arch_irq_restore(flags);
}

/* Skipped without the hardware, failed if the set-up could not be done. */
static bool start(const char *what, bool auto_eoi)
{
	return can_run(what) && irqtest_begun(begin(auto_eoi), what);
}

/* Teardown first: the verdict line comes last. */
static void finish(bool ok, const char *what)
{
	end();
	tap_ok(ok, "%s", what);
}

TEST_CASE(pic, single_irq, 810)
{
	const char *what = "PIC: an edge on IRQ5 is delivered once on vector 0x25, in service "
			   "until EOI";
	uint16_t irr_pending;
	bool ok;

	if (!start(what, false))
		return;
	pic_unmask(5);
	irqtest_cli();
	testdev_pulse(5);
	irr_pending = pic_read_irr(); /* interrupts off: nothing acknowledged yet */
	ok = wait_entries(1);
	lapic_idle_us(QUIET_US);
	ok = tap_expect(ok && rec.count[5] == 1, "IRQ5 delivered %u times, want 1", rec.count[5]);
	ok = ok && tap_expect(entries() == 1, "%u interrupts in all, want 1", entries());
	ok = ok && tap_expect(irr_pending & (1u << 5), "IRR %#x before delivery: bit 5 clear",
			      irr_pending);
	ok = ok && tap_expect(rec.isr_in_handler[5] == (1u << 5), "ISR %#x in the handler, want 0x20",
			      rec.isr_in_handler[5]);
	ok = ok && tap_expect(pic_read_isr() == 0 && !(pic_read_irr() & (1u << 5)),
			      "ISR %#x IRR %#x after EOI", pic_read_isr(), pic_read_irr());
	finish(ok, what);
}

TEST_CASE(pic, masked_irq_held_in_irr, 811)
{
	const char *what = "PIC: a masked IRQ waits in IRR and is delivered on unmask";
	bool ok;

	if (!start(what, false))
		return;
	testdev_pulse(5); /* IRQ5 still masked by begin() */
	lapic_idle_us(QUIET_US);
	ok = tap_expect(entries() == 0, "%u interrupts while masked", entries());
	ok = ok && tap_expect(pic_read_irr() & (1u << 5), "IRR %#x: bit 5 clear while masked",
			      pic_read_irr());
	pic_unmask(5);
	ok = ok && tap_expect(wait_entries(1), "nothing after unmask");
	lapic_idle_us(QUIET_US);
	ok = ok && tap_expect(rec.count[5] == 1 && entries() == 1, "IRQ5 %u times, %u in all",
			      rec.count[5], entries());
	finish(ok, what);
}

TEST_CASE(pic, priority_order, 812)
{
	const char *what = "PIC: requests raised with interrupts off arrive by priority (10 via "
			   "IR2, 3, 5, 6, 7)";
	bool ok;

	if (!start(what, false))
		return;
	for (unsigned int irq = 3; irq <= 10; irq++)
		pic_unmask(irq);
	irqtest_cli();
	testdev_pulse(7);
	testdev_pulse(6);
	testdev_pulse(10);
	testdev_pulse(5);
	testdev_pulse(3);
	ok = tap_expect(wait_entries(5), "only %u of 5 arrived", entries());
	lapic_idle_us(QUIET_US);
	ok = ok && expect_events("10 x10 3 x3 5 x5 6 x6 7 x7");
	finish(ok, what);
}

/* IRQ6's handler lets a higher (3) and a lower (7) request in. */
static volatile bool seven_early;

static void nesting_hook(unsigned int irq)
{
	if (irq != 6)
		return;
	__asm__ __volatile__("sti" ::: "memory");
	testdev_pulse(3);
	wait_entries(2);
	testdev_pulse(7);
	lapic_idle_us(QUIET_US);
	seven_early = rec.count[7] != 0;
	irqtest_cli();
}

TEST_CASE(pic, nesting, 813)
{
	const char *what = "PIC: a higher IRQ nests into a handler that re-enables interrupts, a "
			   "lower one waits for the EOI";
	bool ok;

	if (!start(what, false))
		return;
	pic_unmask(3);
	pic_unmask(6);
	pic_unmask(7);
	hook = nesting_hook;
	seven_early = false;
	testdev_pulse(6);
	ok = tap_expect(wait_entries(3), "only %u of 3 arrived", entries());
	lapic_idle_us(QUIET_US);
	ok = ok && tap_expect(!seven_early, "IRQ7 arrived while IRQ6 was in service");
	ok = ok && expect_events("6 3 x3 x6 7 x7");
	finish(ok, what);
}

/* IRQ3's handler, in service, masks its own level: with special mask mode
 * the lower IRQ6 gets through, without it IRQ6 waits. */
static volatile bool use_smm;

static void smm_hook(unsigned int irq)
{
	if (irq != 3)
		return;
	if (use_smm) {
		pic_set_special_mask(true);
		pic_mask(3);
	}
	__asm__ __volatile__("sti" ::: "memory");
	testdev_pulse(6);
	lapic_idle_until(entries_at_least, (void *)(uintptr_t)2, use_smm ? WAIT_US : QUIET_US);
	irqtest_cli();
	if (use_smm) {
		pic_unmask(3);
		pic_set_special_mask(false);
	}
}

static void smm_round(bool smm, char *got, size_t size)
{
	rec = (__typeof__(rec)){ 0 };
	use_smm = smm;
	hook = smm_hook;
	testdev_pulse(3);
	wait_entries(2);
	lapic_idle_us(QUIET_US);
	hook = 0;
	format_events(got, size);
}

TEST_CASE(pic, special_mask_mode, 814)
{
	const char *what = "PIC: special mask mode lets a lower IRQ into a handler whose own "
			   "level is masked";
	static const char nested[] = "3 x3 6 x6", smm_order[] = "3 6 x6 x3";
	char normal[64], special[64];
	bool ok;

	if (!start(what, false))
		return;
	pic_unmask(3);
	pic_unmask(6);
	smm_round(false, normal, sizeof(normal)); /* control: fully nested mode */
	smm_round(true, special, sizeof(special));
	end();
	ok = tap_expect(!strcmp(normal, nested), "without SMM: events \"%s\", want \"%s\"", normal,
			nested);
	ok = ok && tap_expect(!strcmp(special, smm_order), "with SMM: events \"%s\", want \"%s\"",
			      special, smm_order);
	/* KVM's own 8259 stores the OCW3 SMM bits but its priority resolver
	 * never looks at them (arch/x86/kvm/i8259.c, pic_get_irq()). */
	if (!ok && x86_boot_info.irqchip == IRQVM_IRQCHIP_KERNEL && !strcmp(normal, nested) &&
	    !strcmp(special, nested)) {
		tap_skip("KVM's in-kernel 8259 ignores special mask mode (IRQ6 still waited for "
			 "IRQ3's EOI)", "%s", what);
		return;
	}
	tap_ok(ok, "%s", what);
}

static bool rotation_round(const unsigned int *lines, unsigned int n, const char *want)
{
	bool ok;

	rec = (__typeof__(rec)){ 0 };
	irqtest_cli();
	for (unsigned int i = 0; i < n; i++)
		testdev_pulse(lines[i]);
	ok = tap_expect(wait_entries(n), "only %u of %u arrived", entries(), n);
	lapic_idle_us(QUIET_US);
	return ok && expect_events(want);
}

TEST_CASE(pic, rotation, 815)
{
	const char *what = "PIC: rotate on non-specific EOI makes the level just served lowest; "
			   "set-priority rotates";
	static const unsigned int three_five[] = { 3, 5 };
	static const unsigned int three_five_six[] = { 3, 5, 6 };
	bool ok;

	if (!start(what, false))
		return;
	pic_unmask(3);
	pic_unmask(5);
	pic_unmask(6);
	/* IRQ3 is served and ended with "rotate on non-specific EOI". */
	pic_free_irq(3);
	pic_request_irq(3, recorder, NULL, PIC_HANDLER_OWN_EOI);
	testdev_pulse(3);
	ok = tap_expect(wait_entries(1), "IRQ3 did not arrive");
	pic_rotate_eoi_nonspecific(false);
	pic_free_irq(3);
	pic_request_irq(3, recorder, NULL, 0);
	ok = ok && rotation_round(three_five, 2, "5 x5 3 x3"); /* 3 is lowest now */
	/* Specific rotation: IR5 lowest, so 6 7 0 1 2 3 4 5. */
	pic_set_lowest_priority(false, 5);
	ok = ok && rotation_round(three_five_six, 3, "6 x6 3 x3 5 x5");
	pic_set_lowest_priority(false, 7);
	finish(ok, what);
}

TEST_CASE(pic, auto_eoi, 816)
{
	const char *what = "PIC: in AEOI mode the ISR is clear in the handler and no EOI is needed";
	bool ok;

	if (!start(what, true))
		return;
	pic_unmask(5);
	testdev_pulse(5);
	ok = tap_expect(wait_entries(1), "IRQ5 did not arrive");
	ok = ok && tap_expect(rec.isr_in_handler[5] == 0, "ISR %#x in the handler",
			      rec.isr_in_handler[5]);
	testdev_pulse(5); /* no EOI was written: delivered again all the same */
	ok = ok && tap_expect(wait_entries(2), "second IRQ5 did not arrive without an EOI");
	lapic_idle_us(QUIET_US);
	ok = ok && tap_expect(rec.count[5] == 2 && pic_read_isr() == 0, "IRQ5 %u times, ISR %#x",
			      rec.count[5], pic_read_isr());
	finish(ok, what);
}

/* The device deasserts on the third interrupt. */
static void level_hook(unsigned int irq)
{
	if (irq == 5 && rec.count[5] == 3)
		testdev_set_line(5, false);
}

TEST_CASE(pic, level_triggered_elcr, 817)
{
	const char *what = "PIC: a level-triggered line (ELCR) is re-delivered after each EOI "
			   "until the device deasserts";
	uint16_t elcr;
	bool ok;

	if (!start(what, false))
		return;
	pic_set_elcr(1u << 5);
	elcr = pic_get_elcr();
	hook = level_hook;
	pic_unmask(5);
	testdev_set_line(5, true);
	ok = tap_expect(elcr == (1u << 5), "ELCR reads %#x, want 0x20", elcr);
	ok = ok && tap_expect(wait_entries(3), "only %u deliveries", entries());
	lapic_idle_us(QUIET_US);
	ok = ok && tap_expect(rec.count[5] == 3, "IRQ5 delivered %u times, want 3", rec.count[5]);
	ok = ok && tap_expect(!(pic_read_irr() & (1u << 5)), "IRR %#x after deassert", pic_read_irr());
	finish(ok, what);
}

TEST_CASE(pic, spurious_irq7, 818)
{
	const char *what = "PIC: a level request withdrawn before the acknowledge is not "
			   "delivered; a spurious IRQ7 is counted, not EOI'd";
	unsigned long spur0 = pic_spurious_count(7);
	unsigned long spurious;
	bool ok;

	if (!start(what, false))
		return;
	pic_set_elcr(1u << 5);
	pic_unmask(5);
	pic_unmask(7);
	irqtest_cli();
	testdev_set_line(5, true); /* INT rises; the CPU cannot take it */
	testdev_set_line(5, false); /* ... and the request is gone again */
	lapic_idle_us(QUIET_US);
	spurious = pic_spurious_count(7) - spur0;
	ok = tap_expect(rec.count[5] == 0, "IRQ5 delivered %u times after the request vanished",
			rec.count[5]);
	ok = ok && tap_expect(rec.count[7] == 0, "a spurious IRQ7 reached the handler");
	ok = ok && tap_expect(pic_read_isr() == 0, "ISR %#x afterwards", pic_read_isr());
	tap_diag("  %s", spurious ? "the acknowledge came first: spurious IRQ7 rejected by its ISR bit"
				  : "INT followed the line, the CPU never acknowledged (no IRQ7 either)");
	finish(ok, what);
}

TEST_CASE(pic, spurious_irq15, 819)
{
	const char *what = "PIC: a slave request withdrawn after the cascade latched gives "
			   "spurious IRQ15: counted, master IR2 EOI'd, slave not";
	unsigned long spur0 = pic_spurious_count(15);
	bool ok;

	if (!start(what, false))
		return;
	pic_set_elcr(1u << 10);
	pic_unmask(10);
	pic_unmask(15);
	irqtest_cli();
	/* The slave's INT edge is latched in the master's (edge-triggered) IR2;
	 * the slave's own level request then vanishes before the acknowledge. */
	testdev_set_line(10, true);
	testdev_set_line(10, false);
	lapic_idle_until(entries_at_least, (void *)1, QUIET_US * 5); /* returns on timeout */
	ok = tap_expect(pic_spurious_count(15) - spur0 == 1, "%lu spurious IRQ15 counted, want 1",
			pic_spurious_count(15) - spur0);
	ok = ok && tap_expect(entries() == 0, "%u handler calls (IRQ10 %u, IRQ15 %u)", entries(),
			      rec.count[10], rec.count[15]);
	ok = ok && tap_expect(pic_read_isr() == 0, "ISR %#x afterwards (master IR2 must be EOI'd)",
			      pic_read_isr());
	finish(ok, what);
}

TEST_CASE(pic, cascade, 820)
{
	const char *what = "PIC: IRQ10 arrives through the slave on vector 0x2a, in service on "
			   "both chips until EOI";
	bool ok;

	if (!start(what, false))
		return;
	pic_unmask(10);
	testdev_pulse(10);
	ok = tap_expect(wait_entries(1), "IRQ10 did not arrive");
	lapic_idle_us(QUIET_US);
	ok = ok && tap_expect(rec.count[10] == 1 && entries() == 1, "IRQ10 %u times, %u in all",
			      rec.count[10], entries());
	ok = ok && tap_expect(rec.isr_in_handler[10] == ((1u << 10) | (1u << 2)),
			      "ISR %#x in the handler, want 0x404", rec.isr_in_handler[10]);
	ok = ok && tap_expect(pic_read_isr() == 0, "ISR %#x after EOI", pic_read_isr());
	finish(ok, what);
}

TEST_CASE(pic, lint0_virtual_wire, 821)
{
	const char *what = "PIC: with LVT0 (ExtINT) masked the request waits in the PIC; "
			   "unmasking LVT0 delivers it";
	bool ok;

	if (!start(what, false))
		return;
	lapic_set_lint0_extint(false);
	pic_unmask(5);
	testdev_pulse(5);
	lapic_idle_us(QUIET_US);
	ok = tap_expect(entries() == 0, "delivered with LINT0 masked");
	ok = ok && tap_expect(pic_read_irr() & (1u << 5), "IRR %#x: request lost", pic_read_irr());
	lapic_set_lint0_extint(true);
	ok = ok && tap_expect(wait_entries(1), "not delivered after unmasking LVT0");
	lapic_set_lint0_extint(true);
	finish(ok, what);
}

/* IRQ6's handler lets IRQ3 nest; both end with a non-specific EOI. */
static volatile uint16_t isr_after_inner_eoi;

static void nonspecific_hook(unsigned int irq)
{
	if (irq == 3) {
		pic_eoi_nonspecific(false); /* must end 3, the highest in service */
		isr_after_inner_eoi = pic_read_isr();
		return;
	}
	__asm__ __volatile__("sti" ::: "memory");
	testdev_pulse(3);
	wait_entries(2);
	irqtest_cli();
	pic_eoi_nonspecific(false);
}

TEST_CASE(pic, nonspecific_eoi, 822)
{
	const char *what = "PIC: a non-specific EOI ends the highest-priority level in service "
			   "(nested 3 inside 6)";
	bool ok;

	if (!start(what, false))
		return;
	pic_free_irq(3);
	pic_free_irq(6);
	pic_request_irq(3, recorder, NULL, PIC_HANDLER_OWN_EOI);
	pic_request_irq(6, recorder, NULL, PIC_HANDLER_OWN_EOI);
	pic_unmask(3);
	pic_unmask(6);
	hook = nonspecific_hook;
	testdev_pulse(6);
	ok = tap_expect(wait_entries(2), "only %u of 2 arrived", entries());
	lapic_idle_us(QUIET_US);
	ok = ok && expect_events("6 3 x3 x6");
	ok = ok && tap_expect(isr_after_inner_eoi == (1u << 6), "ISR %#x after the inner EOI, want 0x40",
			      isr_after_inner_eoi);
	ok = ok && tap_expect(pic_read_isr() == 0, "ISR %#x at the end", pic_read_isr());
	finish(ok, what);
}
