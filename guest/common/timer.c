/* SPDX-License-Identifier: MIT */
/*
 * The tick and kernel timers (ktimer.h). One sorted list for the whole
 * machine, expired from the TIMER softirq of the boot CPU: there are only
 * ever a handful of timers (sleeping threads, hold-off re-enables), and a
 * single list keeps "which CPU runs my timer" out of every caller's mind.
 */
#include "arch.h"
#include "gstats.h"
#include "kcpu.h"
#include "ktimer.h"
#include "sched.h"
#include "smp.h"
#include "softirq.h"
#include "spinlock.h"

static spinlock_t timer_lock = SPINLOCK_INIT;
static struct ktimer *timer_list;        /* sorted by expires */
static struct ktimer *volatile timer_running;
static volatile uint64_t jiffies;
static unsigned long ticks[GUEST_MAX_CPUS];

static spinlock_t tick_ref_lock = SPINLOCK_INIT;
static unsigned int tick_refs;
static bool tick_on;

void ktimer_init(struct ktimer *t, void (*fn)(struct ktimer *), void *data)
{
	t->next = NULL;
	t->expires = 0;
	t->fn = fn;
	t->data = data;
	t->pending = false;
}

static void unlink_locked(struct ktimer *t)
{
	for (struct ktimer **pp = &timer_list; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->next = NULL;
	t->pending = false;
}

void ktimer_add(struct ktimer *t, uint64_t expires)
{
	unsigned long flags = arch_irq_save();
	struct ktimer **pp;

	spin_lock(&timer_lock);
	if (t->pending)
		unlink_locked(t);
	t->expires = expires;
	for (pp = &timer_list; *pp && (*pp)->expires <= expires; pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	t->pending = true;
	spin_unlock(&timer_lock);
	arch_irq_restore(flags);
}

bool ktimer_del(struct ktimer *t)
{
	unsigned long flags = arch_irq_save();
	bool was = false;

	spin_lock(&timer_lock);
	if (t->pending) {
		unlink_locked(t);
		was = true;
	}
	spin_unlock(&timer_lock);
	arch_irq_restore(flags);
	/* The callback may be running on the boot CPU right now (we are on
	 * another one: on the boot CPU the softirq would have finished before
	 * this thread could run again). */
	while (timer_running == t)
		arch_cpu_relax();
	return was;
}

static void run_timers(void)
{
	uint64_t now = jiffies;

	for (;;) {
		unsigned long flags = arch_irq_save();
		struct ktimer *t;

		spin_lock(&timer_lock);
		t = timer_list;
		if (!t || t->expires > now) {
			spin_unlock(&timer_lock);
			arch_irq_restore(flags);
			break;
		}
		timer_list = t->next;
		t->next = NULL;
		t->pending = false;
		timer_running = t;
		spin_unlock(&timer_lock);
		arch_irq_restore(flags);
		t->fn(t);
		timer_running = NULL;
	}
}

uint64_t jiffies_now(void)
{
	return jiffies;
}

unsigned long tick_count(unsigned int cpu)
{
	return cpu < GUEST_MAX_CPUS ? READ_ONCE(ticks[cpu]) : 0;
}

void tick_handle(void)
{
	unsigned int cpu = arch_cpu_id();

	ticks[cpu]++;
	if (cpu == 0) {
		struct ktimer *first;

		jiffies++;
		first = READ_ONCE(timer_list);
		if (first && first->expires <= jiffies)
			raise_softirq(SOFTIRQ_TIMER);
	}
	sched_tick();
}

bool tick_get(void)
{
	bool ok = true;

	spin_lock(&tick_ref_lock);
	if (!tick_refs++) {
		tick_on = arch_tick_start();
		ok = tick_on;
	}
	if (!tick_on) {
		tick_refs--;
		ok = false;
	}
	spin_unlock(&tick_ref_lock);
	return ok;
}

void tick_put(void)
{
	spin_lock(&tick_ref_lock);
	if (tick_refs && !--tick_refs && tick_on) {
		arch_tick_stop();
		tick_on = false;
	}
	spin_unlock(&tick_ref_lock);
}

bool tick_running(void)
{
	return READ_ONCE(tick_on);
}

uint64_t cycles_per_tick(void)
{
	return arch_cycles_khz() * 1000 / TICK_HZ;
}

void timers_init(void)
{
	softirq_register(SOFTIRQ_TIMER, run_timers, "TIMER");
}
