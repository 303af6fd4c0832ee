/* SPDX-License-Identifier: MIT */
/*
 * Tasklets (tasklet.h). State bits as in the classic design: SCHED says
 * "on a list, will run", RUN is a per-tasklet lock held while fn runs.
 * SCHED is cleared just before fn is called, so a tasklet_schedule() while
 * it runs queues it again, and one before it runs is absorbed.
 *
 * A disabled tasklet found on a list is parked (PARKED, on no list)
 * rather than put back: put back, it would keep the softirq, and then
 * ksoftirqd, busy re-queuing it for as long as it stays disabled.
 * Parking and the last tasklet_enable() can race; whichever of the two
 * clears PARKED re-queues it, so it is neither lost nor queued twice.
 */
#include "arch.h"
#include "kcpu.h"
#include "sched.h"
#include "smp.h"
#include "softirq.h"
#include "tasklet.h"

struct tasklet_list {
	struct tasklet *head;
	struct tasklet *tail;
};

static struct tasklet_list normal_lists[GUEST_MAX_CPUS], hi_lists[GUEST_MAX_CPUS];

void tasklet_init(struct tasklet *t, void (*fn)(unsigned long), unsigned long data)
{
	t->next = NULL;
	t->state = 0;
	t->disable_count = 0;
	t->fn = fn;
	t->data = data;
	t->runs = t->schedules = t->requeues = t->parks = 0;
	t->parked_hi = false;
}

/* Append to this CPU's list with interrupts off (the lists are only ever
 * touched by their own CPU). */
static void enqueue(struct tasklet_list *lists, struct tasklet *t, enum softirq_nr nr)
{
	unsigned long flags = arch_irq_save();
	struct tasklet_list *l = &lists[arch_cpu_id()];

	t->next = NULL;
	if (l->tail)
		l->tail->next = t;
	else
		l->head = t;
	l->tail = t;
	raise_softirq(nr);
	arch_irq_restore(flags);
}

static void schedule_on(struct tasklet_list *lists, struct tasklet *t, enum softirq_nr nr)
{
	__atomic_fetch_add(&t->schedules, 1, __ATOMIC_RELAXED);
	if (!(__atomic_fetch_or(&t->state, TASKLET_STATE_SCHED, __ATOMIC_ACQ_REL) &
	      TASKLET_STATE_SCHED))
		enqueue(lists, t, nr);
}

void tasklet_schedule(struct tasklet *t)
{
	schedule_on(normal_lists, t, SOFTIRQ_TASKLET);
}

void tasklet_hi_schedule(struct tasklet *t)
{
	schedule_on(hi_lists, t, SOFTIRQ_HI);
}

static void requeue_parked(struct tasklet *t)
{
	if (t->parked_hi)
		enqueue(hi_lists, t, SOFTIRQ_HI);
	else
		enqueue(normal_lists, t, SOFTIRQ_TASKLET);
}

/* Called with RUN held on a disabled tasklet: park it, then look at the
 * disable count again in case tasklet_enable() ran in between (it saw no
 * PARKED bit then, so it is ours to re-queue). Both sides use sequentially
 * consistent operations, so at least one of them sees the other. */
static void park(struct tasklet *t, enum softirq_nr nr)
{
	t->parked_hi = nr == SOFTIRQ_HI;
	__atomic_fetch_add(&t->parks, 1, __ATOMIC_RELAXED);
	__atomic_fetch_or(&t->state, TASKLET_STATE_PARKED, __ATOMIC_SEQ_CST);
	__atomic_fetch_and(&t->state, ~TASKLET_STATE_RUN, __ATOMIC_RELEASE);
	if (!__atomic_load_n(&t->disable_count, __ATOMIC_SEQ_CST) &&
	    (__atomic_fetch_and(&t->state, ~TASKLET_STATE_PARKED, __ATOMIC_SEQ_CST) &
	     TASKLET_STATE_PARKED))
		requeue_parked(t);
}

static void run_list(struct tasklet_list *lists, enum softirq_nr nr)
{
	unsigned long flags = arch_irq_save();
	struct tasklet_list *l = &lists[arch_cpu_id()];
	struct tasklet *t = l->head;

	l->head = l->tail = NULL;
	arch_irq_restore(flags);

	while (t) {
		struct tasklet *next = t->next;

		if (!(__atomic_fetch_or(&t->state, TASKLET_STATE_RUN, __ATOMIC_ACQUIRE) &
		      TASKLET_STATE_RUN)) {
			if (!__atomic_load_n(&t->disable_count, __ATOMIC_ACQUIRE)) {
				__atomic_fetch_and(&t->state, ~TASKLET_STATE_SCHED,
						   __ATOMIC_ACQ_REL);
				t->fn(t->data);
				t->runs++;
				__atomic_fetch_and(&t->state, ~TASKLET_STATE_RUN,
						   __ATOMIC_RELEASE);
				t = next;
				continue;
			}
			park(t, nr);
			t = next;
			continue;
		}
		/* Running on another CPU: keep it scheduled and look again on
		 * a later pass. */
		__atomic_fetch_add(&t->requeues, 1, __ATOMIC_RELAXED);
		enqueue(lists, t, nr);
		t = next;
	}
}

static void tasklet_action(void)
{
	run_list(normal_lists, SOFTIRQ_TASKLET);
}

static void tasklet_hi_action(void)
{
	run_list(hi_lists, SOFTIRQ_HI);
}

void tasklet_disable(struct tasklet *t)
{
	__atomic_fetch_add(&t->disable_count, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) & TASKLET_STATE_RUN)
		arch_cpu_relax();
}

void tasklet_enable(struct tasklet *t)
{
	if (__atomic_sub_fetch(&t->disable_count, 1, __ATOMIC_SEQ_CST))
		return;
	/* Still scheduled (SCHED was never cleared): run it here. */
	if (__atomic_fetch_and(&t->state, ~TASKLET_STATE_PARKED, __ATOMIC_SEQ_CST) &
	    TASKLET_STATE_PARKED)
		requeue_parked(t);
}

void tasklet_kill(struct tasklet *t)
{
	while (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) & TASKLET_STATE_SCHED) {
		if (in_interrupt())
			arch_cpu_relax();
		else
			sleep_ticks(1);
	}
	while (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) & TASKLET_STATE_RUN)
		arch_cpu_relax();
}

void tasklets_init(void)
{
	softirq_register(SOFTIRQ_TASKLET, tasklet_action, "TASKLET");
	softirq_register(SOFTIRQ_HI, tasklet_hi_action, "HI");
}
