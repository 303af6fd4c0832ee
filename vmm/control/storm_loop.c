/* SPDX-License-Identifier: MIT */
#include "vmm/control/storm_loop.h"

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <time.h>

#include "vmm/control/storm_sched.h"
#include "vmm/core/arch.h"
#include "vmm/core/event_loop.h"

/* The wait sleeps until shortly before an event and spins the rest of the
 * way. How early it must wake is learned: a sleep's wake-up overshoot is a
 * few microseconds on bare metal but tens to hundreds on a virtualised host,
 * so each thread tracks its own (a running average, x2 for safety). */
#define STORM_MIN_EARLY_NS 5000ull
#define STORM_MAX_EARLY_NS 1000000ull

/* Until CLOCK_MONOTONIC reaches t_ns: sleep most of the way, spin the rest. */
void storm_wait_until(uint64_t t_ns)
{
	static _Thread_local uint64_t overshoot_avg = 20000; /* ns, learned */
	uint64_t early = 2 * overshoot_avg;
	if (early < STORM_MIN_EARLY_NS)
		early = STORM_MIN_EARLY_NS;
	if (early > STORM_MAX_EARLY_NS)
		early = STORM_MAX_EARLY_NS;
	uint64_t now = monotonic_ns();
	if (t_ns > now + early) {
		uint64_t wake = t_ns - early;
		struct timespec ts = { .tv_sec = (time_t)(wake / 1000000000ull),
				       .tv_nsec = (long)(wake % 1000000000ull) };
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		uint64_t woke = monotonic_ns();
		uint64_t over = woke > wake ? woke - wake : 0;
		overshoot_avg = (overshoot_avg * 7 + over) / 8;
	}
	/* Yielding while spinning costs a syscall but lets a vCPU thread that shares
	 * this host CPU run: on an oversubscribed host a pure spin would slow the
	 * guest the storm is measuring. */
	while (monotonic_ns() < t_ns) {
		arch_cpu_relax();
		sched_yield();
	}
}

/* start + offset, saturating: a time past the end of the clock is "never",
 * not one that wrapped into the past and would be due at once. */
static uint64_t add_sat(uint64_t start, uint64_t offset)
{
	return offset > UINT64_MAX - start ? UINT64_MAX : start + offset;
}

static uint64_t clock_now(const struct storm_loop_ops *ops, void *opaque)
{
	return ops->now ? ops->now(opaque) : monotonic_ns();
}

void storm_loop_run(const struct storm_params *p, uint64_t start_ns,
		    const struct storm_loop_ops *ops, void *opaque, struct storm_loop_state *out)
{
	struct storm_loop_state s = {
		.start_ns = start_ns,
		.end_ns = p->duration_ns ? add_sat(start_ns, p->duration_ns) : UINT64_MAX,
		.reason = "running",
	};
	struct storm_sched sched;
	storm_sched_init(&sched, &p->pattern, p->rate, p->seed);
	/* Where the schedule counts from: start_ns, or later under pace guest. */
	uint64_t sched_start = start_ns;
	uint64_t due = add_sat(sched_start, storm_sched_next(&sched));
	for (;;) {
		const char *why = ops->stop ? ops->stop(opaque) : NULL;
		if (why) {
			s.reason = why;
			break;
		}
		if (p->count && s.sent >= p->count) {
			s.reason = "count";
			break;
		}
		uint64_t now = clock_now(ops, opaque);
		if (now >= s.end_ns) {
			s.reason = "duration";
			break;
		}
		if (now < due) {
			uint64_t until = due < s.end_ns ? due : s.end_ns;
			if (ops->max_wait_ns && until > now + ops->max_wait_ns)
				until = now + ops->max_wait_ns;
			if (ops->wait_until)
				ops->wait_until(opaque, until);
			else
				storm_wait_until(until);
			continue;
		}
		why = ops->fire(opaque, now);
		if (why) {
			s.reason = why;
			break;
		}
		uint64_t late = p->rate > 0 ? now - due : 0;
		if (p->pace == STORM_PACE_GUEST) {
			/* The event waited for the guest inside fire: the schedule, a
			 * ceiling here, goes on from when it left, so a slow stretch is
			 * not made up for by a burst above the rate; nothing is late. */
			sched_start = add_sat(sched_start, clock_now(ops, opaque) - now);
			late = 0;
		}
		if (late > s.max_late_ns)
			s.max_late_ns = late;
		s.sum_late_ns += late;
		s.sent++;
		due = add_sat(sched_start, storm_sched_next(&sched));
		if (ops->after)
			ops->after(opaque, &s, now);
	}
	*out = s;
}
