/* SPDX-License-Identifier: MIT */
/*
 * Interrupt storms and their cures. The guest storms itself through the
 * test device's storm generator (IRQVM_TESTDEV_STORM_*): COUNT pulses,
 * PERIOD apart, on an IOAPIC-only line routed (edge) to CPU 0, mostly while
 * three ring-3 tasks that never yield run there too. For each defence of
 * storm.h the checks are: every event the generator counted (its SENT
 * register) was handled, by its own interrupt, coalesced into another's,
 * or by polling (exact: storm.h explains why an event counter makes this
 * exact with edge interrupts that merge or are dropped while masked); the
 * defence did its own work, judged by the device's counter and the tick
 * (each interrupt looked at the counter again, coalescing or dallying; a
 * mask that holds, with at most the one interrupt already in flight, and
 * collects what came meanwhile; for hold-off, a few interrupts per tick at
 * most); and where the defence bounds the interrupt load, the
 * ring-3 tasks kept running and the line went back to interrupt mode once
 * the storm was over. How many interrupts a defence saves is a speed
 * figure (it depends on how fast this host delivers them): reported next
 * to the undefended runs, never checked (docs/guest.md, "Timer checks").
 *
 * Then: a level-triggered line held asserted that no handler claims is
 * detected as screaming and disabled; a spurious IRQ7 inside another IRQ's
 * handler does not EOI that IRQ; the LAPIC spurious vector is not EOI'd.
 */
#include <irqvm/abi.h>

#include "arch.h"
#include "ioapic.h"
#include "ipi.h"
#include "irq.h"
#include "irqline.h"
#include "irqstat.h"
#include "kstring.h"
#include "kprintf.h"
#include "ktest.h"
#include "ktimer.h"
#include "lapic.h"
#include "percpu.h"
#include "pic.h"
#include "sched.h"
#include "sched_x86.h"
#include "smp.h"
#include "storm.h"
#include "tap.h"
#include "test.h"
#include "testdev.h"
#include "wait.h"

#define STORM_LINE 20u       /* IOAPIC pin 20: no PIC input, nothing else on it */
#define STORM_VECTOR 0xa4u
#define SCREAM_LINE 21u
#define SCREAM_VECTOR 0xa5u
#define STORM_TASKS 3u
/*
 * Storms of 0.1 s (0.2 s for the A/B runs, which split theirs; 0.3 s with
 * the ring-3 tasks, so that a storm spans enough ticks for each task to be
 * scheduled). FAST sends events faster than the handler can read the
 * counter (~20 us per read here), so events arrive while the handler
 * works: what coalescing is for. MEDIUM spaces them wider than a read but
 * closer than an interrupt costs (~250 us of emulated ring-0 code here):
 * what dallying is for.
 *
 * Host note: on nested-PVM hosts, an interrupt for a vCPU that is running
 * ring-3 code is sometimes injected only milliseconds late, more so when
 * the host is busy (one run of a storm may then see a tenth of the
 * interrupts of the next), while a vCPU halted in `hlt` is woken at once;
 * a nested host in QEMU stalls vCPUs for milliseconds under load. So no
 * check compares interrupt counts between runs or against wall-clock
 * rates: each checks what the defence itself did, from the device's
 * counter, the mask state and the tick. The counts are reported:
 *  - coalescing and dallying keep no state between interrupts, so one
 *    storm serves as its own control: the handler alternates every tick
 *    between no defence and the defence (storm_dev.interleave); the
 *    interrupts per event in the two halves are reported;
 *  - holdoff and polling mode are reported against the undefended runs of
 *    the same storm, on an idle CPU and with the ring-3 tasks.
 */
struct storm_profile {
	const char *name;
	uint32_t count;
	uint32_t period_ns;
	bool tasks;      /* three busy ring-3 tasks on CPU 0 during the storm */
	bool interleave; /* alternate defence / no defence per tick */
};

enum {
	PROFILE_FAST_IDLE,  /* reference for holdoff and polling mode */
	PROFILE_FAST_TASKS, /* what ring 3 gets without a defence; holdoff, polling */
	PROFILE_FAST_AB,    /* coalescing against itself, cpu otherwise idle */
	PROFILE_MEDIUM_AB,  /* dallying against itself, cpu otherwise idle */
	NR_PROFILES,
};

static const struct storm_profile profiles[NR_PROFILES] = {
	[PROFILE_FAST_IDLE] = { "50k/s, cpu idle", 5000, 20000, false, false },
	[PROFILE_FAST_TASKS] = { "50k/s, 3 ring-3 tasks", 15000, 20000, true, false },
	[PROFILE_FAST_AB] = { "50k/s, cpu idle, A/B per tick", 10000, 20000, false, true },
	[PROFILE_MEDIUM_AB] = { "5k/s, cpu idle, A/B per tick", 1000, 200000, false, true },
};

/* Hold-off: per tick, the interrupt after the unmask, the one that masks
 * again and the one already in flight then: 3. Slack for a tick that comes
 * late after a stall; an undefended storm gives tens to hundreds. */
#define HOLDOFF_MAX_TICK_IRQS 6u
/* Ticks a storm with the ring-3 tasks must span for each task to have been
 * scheduled (round robin per tick, the test thread included). */
#define PROGRESS_MIN_TICKS (3u * (STORM_TASKS + 1))
#define STORM_TIMEOUT_TICKS 1000u
#define WAIT_US 1000000u /* hang guard for an interrupt that must come: only reached on failure */
#define JOIN_TICKS 300u

/* ---- the storm device: line + event counter ---- */

static struct irq_line storm_line;
static struct storm_dev storm_dev;
static bool storm_ready;

static uint32_t storm_read_events(void *ctx)
{
	(void)ctx;
	return testdev_storm_sent();
}

static void storm_mask(void *ctx)
{
	(void)ctx;
	ioapic_set_masked(STORM_LINE, true);
}

static void storm_unmask(void *ctx)
{
	(void)ctx;
	ioapic_set_masked(STORM_LINE, false);
}

static const struct storm_dev_ops storm_ops = {
	.read_events = storm_read_events,
	.mask = storm_mask,
	.unmask = storm_unmask,
};

static void ioapic_line_mask(struct irq_line *l)
{
	ioapic_set_masked(l->line, true);
}

static void ioapic_line_unmask(struct irq_line *l)
{
	ioapic_set_masked(l->line, false);
}

static void ioapic_line_eoi(struct irq_line *l)
{
	ioapic_ack((uint8_t)l->vector);
}

static const struct irq_line_chip ioapic_chip = {
	.name = "IOAPIC",
	.mask = ioapic_line_mask,
	.unmask = ioapic_line_unmask,
	.eoi = ioapic_line_eoi,
};

static enum irqreturn storm_handler(void *ctx)
{
	storm_dev_irq(ctx);
	/* The device is alone on its line: an interrupt whose event an
	 * earlier pass already took is still ours. */
	return IRQ_HANDLED;
}

static bool storm_setup(void)
{
	if (storm_ready)
		return true;
	if (!irq_line_setup(&storm_line, "storm-line", STORM_LINE, STORM_VECTOR, false,
			    &ioapic_chip, NULL))
		return false;
	storm_dev_init(&storm_dev, "storm-dev", &storm_ops, NULL, 0);
	storm_dev.src.line = STORM_LINE;
	storm_dev.src.vector = STORM_VECTOR;
	irq_line_add_handler(&storm_line, storm_handler, &storm_dev);
	ioapic_route(STORM_LINE, STORM_VECTOR, (uint8_t)cpu_apic_id(0), IOAPIC_MASKED);
	storm_ready = true;
	return true;
}

static bool storm_possible(const char *what)
{
	if (!testdev_present() || !ioapic_present() || !lapic_present()) {
		tap_skip("needs the test device, an IOAPIC and a LAPIC", "%s", what);
		return false;
	}
	if (ioapic_nr_pins() <= SCREAM_LINE) {
		tap_skip("the IOAPIC has too few pins", "%s", what);
		return false;
	}
	if (arch_cpu_id() != 0) {
		tap_skip("storm tests run on cpu 0", "%s", what);
		return false;
	}
	return true;
}

/* ---- one storm run ---- */

struct storm_result {
	bool ran;
	unsigned long sent, handled, coalesced, polled, irqs, empty;
	unsigned long holdoffs, poll_entries, polls, dally_catches;
	unsigned long coalesce_catches, masked_irqs, max_tick_irqs;
	unsigned long polled_live; /* collected by the defence itself, not at the end */
	uint64_t ticks; /* jiffies the storm spanned */
	uint64_t us;
	uint64_t progress[STORM_TASKS];
	uint64_t hardirq_us;
	bool accounted;
	bool back_to_irq; /* unmasked, not polling, once the storm was over */
	unsigned long ab_irqs[2], ab_events[2], ab_reads[2];
	unsigned long redelivered; /* dropped second deliveries (percpu.h) */
	uint64_t redelivered_rip;
	unsigned int redelivered_vector;
	bool tasks;
	const char *error;
};

static struct storm_result baseline[NR_PROFILES];

/* A hang guard for a defence giving the line back, not a time limit. */
#define GIVE_BACK_TICKS 200u

static bool line_given_back(void *ctx)
{
	(void)ctx;
	return !storm_dev.masked && !storm_dev.polling;
}

static bool storm_over(void *ctx)
{
	(void)ctx;
	return !testdev_storm_running();
}

static void storm_run(enum storm_defence def, unsigned int profile, struct storm_result *r)
{
	uint32_t count = profiles[profile].count;
	uint32_t period = profiles[profile].period_ns;
	uint64_t before[UTHREAD_SLOTS] = { 0 }, after[UTHREAD_SLOTS] = { 0 }, t0, t1, hard0, j0;
	unsigned long redelivered0 = this_cpu()->irq_redelivered;
	struct busy_set tasks;
	int err;

	memset(r, 0, sizeof(*r));
	if (!busy_start(&tasks, profiles[profile].tasks ? STORM_TASKS : 0, 0)) {
		r->error = "cannot start the ring-3 tasks";
		return;
	}
	storm_dev_set_defence(&storm_dev, def);
	storm_dev_reset(&storm_dev, 0); /* starting a storm zeroes SENT */
	storm_dev.interleave = profiles[profile].interleave;
	irq_line_unmask(&storm_line);
	sleep_ticks(2);
	busy_read(&tasks, before);
	hard0 = irqstat_cycles_all(STORM_VECTOR);
	j0 = jiffies_now();
	t0 = arch_cycles();
	err = testdev_storm_start(IRQVM_TESTDEV_STORM_PULSE, STORM_LINE, count, period);
	if (err) {
		r->error = "the storm generator refused to start";
	} else if (!ktest_wait(storm_over, NULL, STORM_TIMEOUT_TICKS)) {
		testdev_storm_stop();
		r->error = "the storm did not end in time";
	}
	t1 = arch_cycles();
	busy_read(&tasks, after);
	r->ticks = jiffies_now() - j0;
	/* Quiet now: a masking defence must give the line back by itself.
	 * Waited for, not timed: on a loaded host the ticks that drive the
	 * defence's idle test can come in bunches after the vCPU was
	 * descheduled, and 4 of them spanned less than the 1 tick of quiet
	 * that polling mode waits for (3 runs in 4 with 4 vCPUs beside an
	 * emulator busy on both cores). */
	ktest_wait(line_given_back, NULL, GIVE_BACK_TICKS);
	r->back_to_irq = line_given_back(NULL);
	r->polled_live = storm_dev.src.polled;
	storm_dev_finish(&storm_dev, testdev_storm_sent());
	irq_line_mask(&storm_line);
	if (!busy_stop(&tasks, JOIN_TICKS) && !r->error)
		r->error = "a ring-3 task did not exit";

	r->ran = !err;
	r->tasks = profiles[profile].tasks;
	r->sent = storm_dev.src.raised;
	r->handled = storm_dev.src.handled;
	r->coalesced = storm_dev.src.coalesced;
	r->polled = storm_dev.src.polled;
	r->empty = storm_dev.src.unhandled;
	r->irqs = storm_dev.irqs;
	r->holdoffs = storm_dev.holdoffs;
	r->poll_entries = storm_dev.poll_entries;
	r->polls = storm_dev.polls;
	r->dally_catches = storm_dev.dally_catches;
	r->coalesce_catches = storm_dev.coalesce_catches;
	r->masked_irqs = storm_dev.masked_irqs;
	r->max_tick_irqs = storm_dev.max_tick_irqs;
	r->ab_irqs[0] = storm_dev.ab_irqs[0];
	r->ab_irqs[1] = storm_dev.ab_irqs[1];
	r->ab_events[0] = storm_dev.ab_events[0];
	r->ab_events[1] = storm_dev.ab_events[1];
	r->ab_reads[0] = storm_dev.ab_reads[0];
	r->ab_reads[1] = storm_dev.ab_reads[1];
	storm_dev.interleave = false;
	r->redelivered = this_cpu()->irq_redelivered - redelivered0;
	r->redelivered_rip = this_cpu()->irq_redelivered_rip;
	r->redelivered_vector = this_cpu()->irq_redelivered_vector;
	r->us = ktest_cycles_to_us(t1 - t0);
	r->hardirq_us = ktest_cycles_to_us(irqstat_cycles_all(STORM_VECTOR) - hard0);
	for (unsigned int i = 0; i < STORM_TASKS; i++)
		r->progress[i] = after[i] - before[i];
	r->accounted = r->handled == r->sent &&
		       r->handled == r->irqs - r->empty + r->coalesced + r->polled;
	tap_diag("  %s storm, %s: %lu events in %lu ms (%lu ticks), %lu interrupts (%lu found "
		 "nothing new, at most %lu in a tick), %lu coalesced, %lu polled, %lu ms in the "
		 "handler",
		 profiles[profile].name, storm_defence_name(def), r->sent,
		 (unsigned long)(r->us / 1000), (unsigned long)r->ticks, r->irqs, r->empty,
		 r->max_tick_irqs, r->coalesced, r->polled, (unsigned long)(r->hardirq_us / 1000));
	if (def == STORM_HOLDOFF || def == STORM_NAPI)
		tap_diag("    %lu hold-offs, %lu switches to polling, %lu polls (%lu with a full "
			 "budget), %lu interrupts while masked",
			 r->holdoffs, r->poll_entries, r->polls, storm_dev.budget_exhausted,
			 r->masked_irqs);
	if (r->redelivered)
		tap_diag("    %lu interrupts delivered again by the host with IF clear and dropped, "
			 "the last vector %#x at %#lx",
			 r->redelivered, r->redelivered_vector, (unsigned long)r->redelivered_rip);
	if (r->tasks)
		tap_diag("    ring-3 progress %lu/%lu/%lu M iterations",
			 (unsigned long)(r->progress[0] >> 20), (unsigned long)(r->progress[1] >> 20),
			 (unsigned long)(r->progress[2] >> 20));
}

static bool all_progressed(const struct storm_result *r)
{
	if (!r->tasks)
		return false;
	for (unsigned int i = 0; i < STORM_TASKS; i++)
		if (!r->progress[i])
			return false;
	return true;
}

static bool check_accounting(const struct storm_result *r)
{
	if (!tap_expect(!r->error, "%s", r->error ? r->error : ""))
		return false;
	return tap_expect(r->accounted,
			  "raised %lu, handled %lu (own interrupt %lu + coalesced %lu + polled %lu)",
			  r->sent, r->handled, r->irqs - r->empty, r->coalesced, r->polled);
}

/*
 * Without a defence every event must reach the handler through an
 * interrupt: its own, or one that found it pending (coalesced). Events only
 * the final sweep found (polled) were never signalled; with no interrupt at
 * all, the sweep alone would make the identity above hold.
 */
static bool check_by_interrupts(const struct storm_result *r)
{
	return tap_expect(r->irqs > r->empty && r->polled == 0,
			  "%lu events, %lu interrupts (%lu found nothing new): %lu events were "
			  "found only by the sweep after the storm, never by an interrupt",
			  r->sent, r->irqs, r->empty, r->polled);
}

static bool storm_begin(struct ktest_env *env, const char *what)
{
	if (!storm_possible(what) || !ktest_begin(env, true, what))
		return false;
	if (storm_setup())
		return true;
	ktest_end(env);
	tap_skip("storm vector taken", "%s", what);
	return false;
}

/* Interrupts per 1000 events: the load a defence is meant to lower. */
static unsigned long per_kevent(unsigned long irqs, unsigned long events)
{
	return events ? irqs * 1000 / events : 0;
}

/* Coalescing / dallying: one interleaved storm is its own control. */
static void ab_test(enum storm_defence def, unsigned int profile, const char *what)
{
	struct storm_result r;
	struct ktest_env env;
	unsigned long caught;
	bool ok;

	if (!storm_begin(&env, what))
		return;
	storm_run(def, profile, &r);
	ok = check_accounting(&r);
	caught = def == STORM_COALESCE ? r.coalesce_catches : r.dally_catches;
	/* Reported, not checked: how many interrupts the defence saved
	 * depends on how fast this host delivers them. */
	tap_diag("  ticks with %s: %lu interrupts for %lu events (%lu per 1000); without: %lu for "
		 "%lu (%lu per 1000)",
		 storm_defence_name(def), r.ab_irqs[1], r.ab_events[1],
		 per_kevent(r.ab_irqs[1], r.ab_events[1]), r.ab_irqs[0], r.ab_events[0],
		 per_kevent(r.ab_irqs[0], r.ab_events[0]));
	tap_diag("  events taken by %s without an interrupt of their own: %lu; counter reads per "
		 "interrupt %lu.%02lu with it, %lu.%02lu without", storm_defence_name(def), caught,
		 r.ab_reads[1] / (r.ab_irqs[1] ? r.ab_irqs[1] : 1),
		 r.ab_reads[1] * 100 / (r.ab_irqs[1] ? r.ab_irqs[1] : 1) % 100,
		 r.ab_reads[0] / (r.ab_irqs[0] ? r.ab_irqs[0] : 1),
		 r.ab_reads[0] * 100 / (r.ab_irqs[0] ? r.ab_irqs[0] : 1) % 100);
	/* The defence's own work, by construction: every interrupt in its
	 * ticks looked at the counter again after taking what was pending
	 * (coalescing: until nothing new; dallying: through its window), so
	 * it read the counter at least twice, against once without it.
	 * Whether an event then arrived in time is the host's speed (a
	 * loaded nested host starves the generator): reported above. */
	ok = ok && tap_expect(r.ab_irqs[1] > 0 && r.ab_reads[1] >= 2 * r.ab_irqs[1] &&
				      r.ab_reads[0] == r.ab_irqs[0],
			      "%lu counter reads in %lu interrupts with %s (want 2 or more each), "
			      "%lu in %lu without (want 1 each)",
			      r.ab_reads[1], r.ab_irqs[1], storm_defence_name(def), r.ab_reads[0],
			      r.ab_irqs[0]);
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

/* Holdoff / polling mode: with the ring-3 tasks, which must keep running;
 * the undefended runs of the same storm are reported alongside. */
static void bounded_test(enum storm_defence def, const char *what)
{
	struct storm_result *idle = &baseline[PROFILE_FAST_IDLE];
	struct storm_result *busy = &baseline[PROFILE_FAST_TASKS], r;
	unsigned long masks;
	struct ktest_env env;
	bool ok;

	if (!storm_begin(&env, what))
		return;
	if (!idle->ran)
		storm_run(STORM_NONE, PROFILE_FAST_IDLE, idle);
	if (!busy->ran)
		storm_run(STORM_NONE, PROFILE_FAST_TASKS, busy);
	storm_run(def, PROFILE_FAST_TASKS, &r);
	ok = check_accounting(&r);
	masks = def == STORM_HOLDOFF ? r.holdoffs : r.poll_entries;
	/* Two interrupts closer than the interval: a 50k/s storm gives
	 * that at once, whatever the host's speed. */
	ok = ok && tap_expect(masks > 0, "%s never engaged in %lu interrupts",
			      storm_defence_name(def), r.irqs);
	/* The mask holds: after it, only the interrupt already accepted by
	 * the LAPIC (IRR) can still come, one per mask; and what the storm
	 * sent meanwhile was collected by the defence (unmask or poll). */
	ok = ok && tap_expect(r.masked_irqs <= masks, "%lu interrupts while masked, %lu masks",
			      r.masked_irqs, masks);
	ok = ok && tap_expect(r.polled_live > 0, "no event collected by %s in %lu masks",
			      storm_defence_name(def), masks);
	if (def == STORM_HOLDOFF)
		ok = ok && tap_expect(r.max_tick_irqs <= HOLDOFF_MAX_TICK_IRQS,
				      "%lu interrupts in one tick, want at most %u", r.max_tick_irqs,
				      HOLDOFF_MAX_TICK_IRQS);
	ok = ok && tap_expect(r.back_to_irq, "still masked or polling after the storm");
	/* Ring-3 progress needs ticks (round robin): judged only if the storm
	 * spanned enough of them, which a storm of 0.3 s does unless the host
	 * stalled this vCPU for most of it. */
	if (r.ticks >= PROGRESS_MIN_TICKS)
		ok = ok && tap_expect(all_progressed(&r), "a ring-3 task made no progress in %lu "
				      "ticks", (unsigned long)r.ticks);
	else
		tap_diag("  ring-3 progress not judged: the storm spanned only %lu ticks (want %u)",
			 (unsigned long)r.ticks, PROGRESS_MIN_TICKS);
	/* Reported, not checked: a speed figure. */
	tap_diag("  interrupts per 1000 events: %lu with %s; without: %lu idle, %lu with the tasks",
		 per_kevent(r.irqs, r.sent), storm_defence_name(def), per_kevent(idle->irqs, idle->sent),
		 per_kevent(busy->irqs, busy->sent));
	ok = ok && tap_expect(idle->accounted && busy->accounted, "the runs without defence failed");
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

TEST_CASE(storm, no_defence, 935)
{
	const char *what = "50k/s storm without a defence, cpu idle and with ring-3 tasks: every "
			   "event is accounted for exactly and reached the handler by an interrupt";
	struct ktest_env env;
	bool ok = true;

	if (!storm_begin(&env, what))
		return;
	for (unsigned int p = PROFILE_FAST_IDLE; p <= PROFILE_FAST_TASKS; p++) {
		storm_run(STORM_NONE, p, &baseline[p]);
		ok &= check_accounting(&baseline[p]) && check_by_interrupts(&baseline[p]);
	}
	tap_diag("  ring-3 tasks %s during the undefended storm",
		 all_progressed(&baseline[PROFILE_FAST_TASKS]) ? "still progressed"
							       : "were starved");
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

TEST_CASE(storm, coalescing, 936)
{
	ab_test(STORM_COALESCE, PROFILE_FAST_AB,
		"coalescing (handle all pending and what arrives meanwhile), 50k/s storm: "
		"nothing lost, each interrupt looks again for what arrived meanwhile");
}

TEST_CASE(storm, dallying, 937)
{
	ab_test(STORM_DALLY, PROFILE_MEDIUM_AB,
		"dallying (poll a bounded time before returning), 5k/s storm: nothing lost, "
		"each interrupt keeps polling through its window");
}

TEST_CASE(storm, holdoff, 938)
{
	bounded_test(STORM_HOLDOFF,
		     "holdoff (mask, re-enable a tick later), 50k/s storm: nothing lost, at most "
		     "6 interrupts a tick, the mask holds, ring-3 tasks progress, line unmasked "
		     "after the storm");
}

TEST_CASE(storm, polling_mode, 939)
{
	bounded_test(STORM_NAPI,
		     "polling mode (NAPI-like switch above a rate), 50k/s storm: nothing lost, "
		     "switches to polling, the mask holds, ring-3 tasks progress, interrupt mode "
		     "again when idle");
}

/* ---- holdoff never delays the first event after a quiet period ---- */

static bool line_unmasked(void *ctx)
{
	(void)ctx;
	return !READ_ONCE(storm_dev.masked);
}

/* One event from the generator (a storm of one; starting it zeroes SENT). */
static bool one_event(void)
{
	storm_dev_rebase(&storm_dev, 0);
	return !testdev_storm_start(IRQVM_TESTDEV_STORM_PULSE, STORM_LINE, 1, 0);
}

TEST_CASE(storm, holdoff_first_event_at_once, 940)
{
	const char *what = "holdoff: the first event after a quiet period is handled by its own "
			   "interrupt, not held off; one that follows within the interval is handled, "
			   "then the line is held off and unmasked at the next tick";
	uint64_t t0, latency, spacing = 0;
	unsigned int events = 1, tries;
	struct ktest_env env;
	bool ok, close = false;

	if (!storm_begin(&env, what))
		return;
	storm_dev_set_defence(&storm_dev, STORM_HOLDOFF);
	storm_dev_reset(&storm_dev, 0);
	irq_line_unmask(&storm_line);
	sleep_ticks(3); /* quiet period */
	t0 = arch_cycles();
	ok = tap_expect(one_event(), "the storm generator refused");
	/* Spin, not sleep: the next event must follow well within a tick. */
	ok = ok && tap_expect(ipi_wait_counter(&storm_dev.irqs, 1, WAIT_US), "no interrupt came");
	latency = storm_dev.last_irq - t0;
	/* By its own interrupt, nothing masked, nothing left to the timer. */
	ok = ok && tap_expect(storm_dev.src.handled == 1 && !storm_dev.src.polled &&
				      !storm_dev.holdoffs,
			      "handled %lu, polled %lu, holdoffs %lu", storm_dev.src.handled,
			      storm_dev.src.polled, storm_dev.holdoffs);
	/* A busy host may deliver the next event late; then it is rightly not
	 * held off. Try a few times for one within the interval. */
	for (tries = 0; ok && tries < 5 && !close; tries++) {
		uint64_t prev = storm_dev.last_irq;
		unsigned long holdoffs = storm_dev.holdoffs;

		ok = tap_expect(one_event(), "the storm generator refused");
		events++;
		ok = ok && tap_expect(ipi_wait_counter(&storm_dev.irqs, events, WAIT_US),
				      "no interrupt for event %u", events);
		spacing = storm_dev.last_irq - prev;
		close = spacing < storm_dev.holdoff_cycles;
		ok = ok && tap_expect(storm_dev.holdoffs == holdoffs + (close ? 1u : 0u),
				      "%lu us apart: %lu hold-offs, want %lu",
				      (unsigned long)ktest_cycles_to_us(spacing), storm_dev.holdoffs,
				      holdoffs + (close ? 1u : 0u));
		if (!close)
			sleep_ticks(2); /* quiet again before the next try */
	}
	ok = ok && tap_expect(ktest_wait(line_unmasked, NULL, 5), "still masked 5 ticks later");
	tap_diag("  first event handled %lu us after it was sent; the next %lu us after the first",
		 (unsigned long)ktest_cycles_to_us(latency),
		 (unsigned long)ktest_cycles_to_us(spacing));
	storm_dev_finish(&storm_dev, events); /* storms of one event each */
	irq_line_mask(&storm_line);
	ktest_end(&env);
	if (ok && !close) {
		tap_skip("the host never delivered two events within a tick of each other (busy "
			 "host?)", "%s", what);
		return;
	}
	tap_ok(ok, "%s", what);
}

/* ---- screaming line ---- */

static struct irq_line scream_line;
static volatile unsigned long scream_calls;

static enum irqreturn not_mine(void *ctx)
{
	(void)ctx;
	scream_calls++;
	return IRQ_NONE; /* the device this driver knows is not the one asserting */
}

static bool scream_disabled(void *ctx)
{
	(void)ctx;
	return READ_ONCE(scream_line.disabled);
}

TEST_CASE(storm, screaming_line_disabled, 941)
{
	const char *what = "a level-triggered line held asserted that no handler claims is "
			   "detected (nobody cared), masked and reported; ring-3 tasks run on";
	uint64_t before[UTHREAD_SLOTS], after[UTHREAD_SLOTS];
	unsigned long at_disable;
	struct busy_set tasks;
	struct ktest_env env;
	bool ok, tasks_ok;

	if (!storm_possible(what) || !ktest_begin(&env, true, what))
		return;
	if (!irq_line_setup(&scream_line, "scream-line", SCREAM_LINE, SCREAM_VECTOR, true,
			    &ioapic_chip, NULL)) {
		ktest_end(&env);
		tap_skip("vector taken", "%s", what);
		return;
	}
	irq_line_add_handler(&scream_line, not_mine, NULL);
	ioapic_route(SCREAM_LINE, SCREAM_VECTOR, (uint8_t)cpu_apic_id(0),
		     IOAPIC_LEVEL | IOAPIC_MASKED);
	tasks_ok = busy_start(&tasks, STORM_TASKS, 0);
	ok = tap_expect(tasks_ok, "cannot start the ring-3 tasks");
	ok = ok && tap_expect(!testdev_set_line(SCREAM_LINE, true), "cannot raise the line");
	irq_line_unmask(&scream_line);
	ok = ok && tap_expect(ktest_wait(scream_disabled, NULL, 300),
			      "not disabled after %lu interrupts (%lu unhandled)", scream_line.irqs,
			      scream_line.unhandled);
	at_disable = scream_line.irqs;
	busy_read(&tasks, before);
	sleep_ticks(5);
	busy_read(&tasks, after);
	ok = ok && tap_expect(scream_line.irqs - at_disable <= 1,
			      "%lu more interrupts after it was disabled",
			      scream_line.irqs - at_disable);
	ok = ok && tap_expect(ioapic_read_entry(SCREAM_LINE) & IOAPIC_MASKED,
			      "the IOAPIC entry is not masked");
	ok = ok && tap_expect(scream_line.unhandled >= IRQ_SCREAM_UNHANDLED,
			      "only %lu unhandled interrupts", scream_line.unhandled);
	for (unsigned int i = 0; ok && i < STORM_TASKS; i++)
		ok = tap_expect(after[i] > before[i], "ring-3 task %u stopped", i);
	tap_diag("  disabled after %lu interrupts, %lu handler calls, all unhandled", at_disable,
		 scream_calls);
	testdev_set_line(SCREAM_LINE, false);
	if (tasks_ok)
		busy_stop(&tasks, JOIN_TICKS);
	irq_line_teardown(&scream_line);
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

/* ---- spurious interrupts ---- */

static volatile bool irq3_ran, irq7_real;
static volatile uint16_t isr_before, isr_after;
static volatile unsigned long spurious_seen;

static bool spurious_arrived(void *ctx)
{
	return pic_spurious_count(7) > *(const unsigned long *)ctx;
}

static void irq3_handler(unsigned int irq, void *ctx)
{
	unsigned long spur0 = pic_spurious_count(7);
	uint64_t until = arch_cycles() + ktest_us_to_cycles(WAIT_US);

	(void)irq;
	(void)ctx;
	isr_before = pic_read_isr();
	/* A spurious IRQ7 arriving while IRQ3 is in service: the vector
	 * without its ISR bit, as the 8259 produces when a request vanishes
	 * before the acknowledge. Sent as a self-IPI on the IRQ7 vector. */
	arch_irq_enable();
	lapic_send_ipi_shorthand(LAPIC_DEST_SELF, PIC_VECTOR_BASE + 7, LAPIC_DM_FIXED);
	while (!spurious_arrived(&spur0) && arch_cycles() < until)
		arch_cpu_relax();
	arch_irq_disable();
	spurious_seen = pic_spurious_count(7) - spur0;
	isr_after = pic_read_isr();
	irq3_ran = true;
	pic_eoi(3);
}

static void irq7_handler(unsigned int irq, void *ctx)
{
	(void)irq;
	(void)ctx;
	irq7_real = true;
}

static bool irq3_done(void *ctx)
{
	(void)ctx;
	return irq3_ran;
}

TEST_CASE(storm, spurious_irq7_keeps_other_in_service, 942)
{
	const char *what = "a spurious IRQ7 that arrives while IRQ3 is in service is counted, "
			   "not passed to the IRQ7 driver, and does not EOI IRQ3";
	struct ktest_env env;
	bool ok;

	if (!pic_present() || !testdev_present() || !lapic_present()) {
		tap_skip("needs the 8259 PIC, the test device and a LAPIC", "%s", what);
		return;
	}
	if (arch_cpu_id() != 0) {
		tap_skip("the PIC interrupts cpu 0", "%s", what);
		return;
	}
	if (!ktest_begin(&env, true, what))
		return;
	irq3_ran = irq7_real = false;
	if (!pic_request_irq(3, irq3_handler, NULL, PIC_HANDLER_OWN_EOI) ||
	    !pic_request_irq(7, irq7_handler, NULL, 0)) {
		pic_free_irq(3);
		ktest_end(&env);
		tap_skip("IRQ3 or IRQ7 taken", "%s", what);
		return;
	}
	pic_unmask(3);
	ok = tap_expect(!testdev_pulse(3), "cannot pulse line 3");
	ok = ok && tap_expect(ktest_wait(irq3_done, NULL, 100), "IRQ3 never came");
	pic_mask(3);
	pic_free_irq(3);
	pic_free_irq(7);
	/* The self-IPI went through the LAPIC: retire it there (on hosts whose
	 * LAPIC keeps it in service until EOI). */
	if (lapic_isr_bit(PIC_VECTOR_BASE + 7))
		lapic_eoi();
	ok = ok && tap_expect(isr_before & (1u << 3), "IRQ3 not in service in its handler (ISR %#x)",
			      isr_before);
	ok = ok && tap_expect(spurious_seen == 1, "%lu spurious IRQ7 counted", spurious_seen);
	ok = ok && tap_expect(!irq7_real, "the IRQ7 driver was called");
	ok = ok && tap_expect(isr_after & (1u << 3),
			      "IRQ3 no longer in service after the spurious IRQ7 (ISR %#x)",
			      isr_after);
	ok = ok && tap_expect(!(pic_read_isr() & (1u << 3)), "IRQ3 still in service at the end");
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

TEST_CASE(storm, lapic_spurious_vector, 943)
{
	tap_skip("cannot be provoked: it needs an acknowledge racing a TPR raise, which KVM's "
		 "LAPIC never produces (an IPI on 0xff would be a real interrupt)",
		 "the LAPIC spurious vector (0xff) is counted and not EOI'd");
}
