/* SPDX-License-Identifier: MIT */
/*
 * The one implementation of a storm's event loop, shared by the VMM's storm
 * thread (vmm/control/storm.c) and the client's irqfd generator
 * (cli/cli_client_storm.c). Events leave at the times of the storm's
 * schedule (vmm/control/storm_sched.h) counted from start_ns, against
 * CLOCK_MONOTONIC; an event that is late goes at once, so the mean rate
 * holds even when single events slip. The loop ends, in this order of
 * checks before each event:
 *   the caller's stop check returns a reason ("stopped", "vm stopped", ...)
 *   count events were sent (p->count != 0)                  "count"
 *   p->duration_ns has passed since start_ns                 "duration"
 *   the caller's fire fails and returns a reason             (its reason)
 * Lateness (now - due) is accounted for every event sent; a rate of "max"
 * (0) has no schedule, so nothing is late. Under pace guest the fire waits
 * for the guest, and the schedule (then a ceiling) is shifted by the time
 * each fire took: no event is late, and none leaves above the rate.
 */
#ifndef IRQVM_STORM_LOOP_H
#define IRQVM_STORM_LOOP_H

#include <stdint.h>

#include "vmm/control/control_args.h"

struct storm_loop_state {
	uint64_t start_ns, end_ns; /* end_ns: start + duration, or UINT64_MAX */
	uint64_t sent;
	uint64_t max_late_ns, sum_late_ns;
	const char *reason;        /* why the loop ended ("running" until then) */
};

struct storm_loop_ops {
	/* Before each event and after each wait: a reason to end, or NULL. */
	const char *(*stop)(void *opaque);
	/* The event, at now_ns: NULL, or a reason to end (it is then not counted). */
	const char *(*fire)(void *opaque, uint64_t now_ns);
	/* After each event sent, with the totals so far; may be NULL. */
	void (*after)(void *opaque, const struct storm_loop_state *s, uint64_t now_ns);
	/* The clock and the wait; NULL: monotonic_ns and storm_wait_until (tests
	 * give a simulated clock). */
	uint64_t (*now)(void *opaque);
	void (*wait_until)(void *opaque, uint64_t t_ns);
	/* No single wait is longer than this, so stop is looked at often
	 * enough; 0: wait for the next event (or the end) in one go. */
	uint64_t max_wait_ns;
};

/* Runs the storm p (rate, pattern, seed, count, duration) to its end and
 * returns its totals in out. */
void storm_loop_run(const struct storm_params *p, uint64_t start_ns,
		    const struct storm_loop_ops *ops, void *opaque, struct storm_loop_state *out);

/* Sleeps and then spins until CLOCK_MONOTONIC reaches t_ns. */
void storm_wait_until(uint64_t t_ns);

#endif
