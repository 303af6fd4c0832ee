/* SPDX-License-Identifier: MIT */
/*
 * Tasklets: deferred functions scheduled from hard-IRQ context and run
 * from a softirq (SOFTIRQ_TASKLET, or SOFTIRQ_HI for the high-priority
 * list) on the CPU that scheduled them, in scheduling order.
 *
 * Guarantees:
 *  - however often a tasklet is scheduled before it runs, it runs once;
 *    scheduling it while it runs makes it run once more afterwards;
 *  - it never runs on two CPUs at once (a CPU that finds it running
 *    elsewhere puts it back and tries again later);
 *  - tasklet_disable() waits until it is not running and keeps it from
 *    running; a disabled tasklet stays scheduled and runs after
 *    tasklet_enable(). One the softirq finds disabled is parked: taken
 *    off the run list (so it costs nothing while disabled) and put back
 *    on the enabling CPU's list by the tasklet_enable() that ends the
 *    disable.
 */
#ifndef GUEST_TASKLET_H
#define GUEST_TASKLET_H

#include <stdbool.h>

struct tasklet {
	struct tasklet *next;
	unsigned long state;   /* TASKLET_STATE_* bits */
	int disable_count;
	void (*fn)(unsigned long data);
	unsigned long data;
	unsigned long runs;       /* times fn ran */
	unsigned long schedules;  /* tasklet_schedule() calls */
	unsigned long requeues;   /* put back: found running on another CPU */
	unsigned long parks;      /* taken off the run list: found disabled */
	bool parked_hi;           /* parked from the HI list (valid while PARKED) */
};

#define TASKLET_STATE_SCHED 0x1ul /* on some CPU's list */
#define TASKLET_STATE_RUN 0x2ul   /* fn is running */
#define TASKLET_STATE_PARKED 0x4ul /* scheduled, disabled, on no list */

#define TASKLET_INIT(func, d) { NULL, 0, 0, (func), (d), 0, 0, 0, 0, false }

void tasklet_init(struct tasklet *t, void (*fn)(unsigned long), unsigned long data);
void tasklet_schedule(struct tasklet *t);
void tasklet_hi_schedule(struct tasklet *t);
void tasklet_disable(struct tasklet *t);
void tasklet_enable(struct tasklet *t);
/* Wait until neither scheduled nor running (thread context). */
void tasklet_kill(struct tasklet *t);

void tasklets_init(void);

#endif /* GUEST_TASKLET_H */
