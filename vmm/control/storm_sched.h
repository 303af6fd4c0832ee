/* SPDX-License-Identifier: MIT */
/*
 * When each event of an interrupt storm is due. Pure arithmetic, used by
 * the storm loop (vmm/control/storm_loop.h) that the VMM's storm thread and
 * the client's irqfd generator share, so both follow the same pattern exactly.
 *
 * Times are offsets in ns from the start of the storm. For a rate R:
 *   constant   event k at k / R
 *   burst:N    events come in groups of N at the same instant, one group
 *              every N / R (same mean rate, maximal instantaneous rate)
 *   poisson    exponentially distributed gaps of mean 1 / R, drawn from a
 *              splitmix64 generator seeded with the storm's seed, so one
 *              seed always gives the same storm
 * A rate of 0 means "as fast as possible": every event is due at 0.
 */
#ifndef IRQVM_STORM_SCHED_H
#define IRQVM_STORM_SCHED_H

#include <stdint.h>

enum storm_pattern_kind {
	STORM_PATTERN_CONSTANT,
	STORM_PATTERN_BURST,
	STORM_PATTERN_POISSON,
};

struct storm_pattern {
	enum storm_pattern_kind kind;
	uint32_t burst; /* events per burst (STORM_PATTERN_BURST) */
};

struct storm_sched {
	struct storm_pattern pattern;
	double period_ns; /* 1e9 / rate; 0 for "max" */
	uint64_t k;       /* index of the next event */
	double t_ns;      /* poisson: time of the next event */
	uint64_t rng;
};

void storm_sched_init(struct storm_sched *s, const struct storm_pattern *pattern, double rate,
		      uint64_t seed);
/* Due time of the next event (events are asked for in order); UINT64_MAX
 * for one that lies beyond the 64-bit clock. */
uint64_t storm_sched_next(struct storm_sched *s);

/* Time left for `remaining` events at `rate` per second; 0 if the rate is
 * not positive (nothing measured yet), at most INT64_MAX so that it stays
 * a JSON integer. Shared by the VMM's storm reports and the client's irqfd
 * progress line. */
uint64_t storm_eta_ns(uint64_t remaining, double rate);

/* Natural logarithm for x > 0 (irqvm does not link libm). Exposed for tests. */
double storm_ln(double x);

#endif
