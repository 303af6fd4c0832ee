/* SPDX-License-Identifier: MIT */
/*
 * Softirqs (softirq.h): pending bits per CPU, passes on interrupt exit with
 * a restart limit, and a ksoftirqd thread per CPU for the overflow.
 */
#include "arch.h"
#include "kcpu.h"
#include "kprintf.h"
#include "panic.h"
#include "sched.h"
#include "smp.h"
#include "softirq.h"

/* Besides the restart count, a pass sequence on interrupt exit stops after
 * this long (Linux uses 2 ms; same here, on emulated-CPU time). */
#define SOFTIRQ_MAX_US 2000u

struct softirq_action {
	softirq_fn fn;
	const char *name;
};

static struct softirq_action actions[NR_SOFTIRQS];
static struct softirq_stats stats[GUEST_MAX_CPUS];
static struct thread *ksoftirqd[GUEST_MAX_CPUS];
/* ksoftirqd has been woken and not yet emptied the pending mask. */
static volatile bool ksoftirqd_busy[GUEST_MAX_CPUS];
static struct wait_queue ksoftirqd_wq[GUEST_MAX_CPUS];

static const char *const default_names[NR_SOFTIRQS] = {
	"HI", "TIMER", "POLL", "TASKLET", "TEST0", "TEST1",
};

void softirq_register(enum softirq_nr nr, softirq_fn fn, const char *name)
{
	if ((unsigned int)nr >= NR_SOFTIRQS)
		return;
	actions[nr].name = name ? name : default_names[nr];
	__atomic_store_n(&actions[nr].fn, fn, __ATOMIC_RELEASE);
}

const char *softirq_name(enum softirq_nr nr)
{
	if ((unsigned int)nr >= NR_SOFTIRQS)
		return "?";
	return actions[nr].name ? actions[nr].name : default_names[nr];
}

static void wake_ksoftirqd(unsigned int cpu)
{
	if (ksoftirqd[cpu]) {
		__atomic_store_n(&ksoftirqd_busy[cpu], true, __ATOMIC_SEQ_CST);
		wake_up(&ksoftirqd_wq[cpu]);
	}
}

void raise_softirq(enum softirq_nr nr)
{
	unsigned int cpu = arch_cpu_id();
	struct kcpu *c = &kcpu[cpu];

	/* One read-modify-write instruction: an interrupt on this CPU cannot
	 * lose a bit raised by the code it interrupted. */
	__atomic_fetch_or(&c->softirq_pending, 1ul << nr, __ATOMIC_RELAXED);
	__atomic_fetch_add(&stats[cpu].raised[nr], 1, __ATOMIC_RELAXED);
	/* From a thread no interrupt exit may come soon: let ksoftirqd run it. */
	if (!c->hardirq_depth && !c->softirq_active && !ksoftirqd_busy[cpu])
		wake_ksoftirqd(cpu);
}

/* One pass over the pending mask, interrupts enabled while handlers run.
 * Entered and left with interrupts disabled. */
static void softirq_pass(unsigned int cpu)
{
	unsigned long pending = __atomic_exchange_n(&kcpu[cpu].softirq_pending, 0,
						    __ATOMIC_ACQUIRE);

	arch_irq_enable();
	while (pending) {
		unsigned int nr = (unsigned int)__builtin_ctzl(pending);
		softirq_fn fn = __atomic_load_n(&actions[nr].fn, __ATOMIC_ACQUIRE);
		uint64_t t0 = arch_cycles();

		pending &= pending - 1;
		if (fn)
			fn();
		stats[cpu].runs[nr]++;
		stats[cpu].cycles[nr] += arch_cycles() - t0;
	}
	arch_irq_disable();
}

static uint64_t max_cycles(void)
{
	uint64_t khz = arch_cycles_khz();

	return khz ? khz * SOFTIRQ_MAX_US / 1000 : 0;
}

void softirq_irq_exit(void)
{
	unsigned int cpu = arch_cpu_id();
	struct kcpu *c = &kcpu[cpu];
	struct softirq_stats *s = &stats[cpu];
	unsigned int restarts = SOFTIRQ_MAX_RESTART;
	uint64_t start, limit;

	if (c->hardirq_depth || c->softirq_active || !c->softirq_pending)
		return;
	if (ksoftirqd_busy[cpu]) {
		/* Under load the thread owns softirq processing; running it
		 * here too would give bottom halves the whole CPU again. */
		s->deferred++;
		return;
	}
	start = arch_cycles();
	limit = max_cycles();
	c->softirq_active = 1;
	for (;;) {
		softirq_pass(cpu);
		s->irq_exit_passes++;
		if (!c->softirq_pending)
			break;
		if (!--restarts || (limit && arch_cycles() - start > limit)) {
			/* Work keeps coming: hand it to the thread, which the
			 * scheduler runs in turn with everything else. */
			s->handoffs++;
			wake_ksoftirqd(cpu);
			break;
		}
		s->restarts++;
	}
	c->softirq_active = 0;
}

static void ksoftirqd_main(void *arg)
{
	unsigned int cpu = (unsigned int)(uintptr_t)arg;
	struct kcpu *c = &kcpu[cpu];

	for (;;) {
		wait_event(&ksoftirqd_wq[cpu], READ_ONCE(ksoftirqd_busy[cpu]));
		for (;;) {
			while (READ_ONCE(c->softirq_pending)) {
				unsigned long flags = arch_irq_save();

				c->softirq_active = 1;
				softirq_pass(cpu);
				stats[cpu].thread_passes++;
				c->softirq_active = 0;
				arch_irq_restore(flags);
				/* Passes until the time slice is used up: then user
				 * tasks and other threads get their turn, however
				 * fast work comes. */
				cond_resched();
			}
			__atomic_store_n(&ksoftirqd_busy[cpu], false, __ATOMIC_SEQ_CST);
			/* Raised after the last check but before busy was
			 * cleared (interrupt exits deferred it to us): keep it. */
			if (!READ_ONCE(c->softirq_pending))
				break;
			__atomic_store_n(&ksoftirqd_busy[cpu], true, __ATOMIC_SEQ_CST);
		}
	}
}

void softirq_init(void)
{
	static const char *const names[GUEST_MAX_CPUS] = {
		"ksoftirqd/0", "ksoftirqd/1", "ksoftirqd/2", "ksoftirqd/3",
		"ksoftirqd/4", "ksoftirqd/5", "ksoftirqd/6", "ksoftirqd/7",
	};

	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS; cpu++) {
		wait_queue_init(&ksoftirqd_wq[cpu]);
		if (smp_cpu_online(cpu))
			ksoftirqd[cpu] = thread_create(names[cpu], cpu, ksoftirqd_main,
						       (void *)(uintptr_t)cpu);
	}
}

const struct softirq_stats *softirq_stats(unsigned int cpu)
{
	return cpu < GUEST_MAX_CPUS ? &stats[cpu] : &stats[0];
}
