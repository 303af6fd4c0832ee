/* SPDX-License-Identifier: MIT */
/*
 * Interrupt storms driven inside the VMM: one dedicated thread per storm
 * injects into one target in the loop of vmm/control/storm_loop.h (the
 * schedule of vmm/control/storm_sched.h against CLOCK_MONOTONIC; absolute
 * sleeps with 1 ns timer slack, then a short spin, so events leave on time;
 * an event that is late goes at once, so the mean rate holds even when
 * single events slip). Every injection is
 * accounted by vmm/core/stats.h as it happens; the storm's own numbers are the
 * deltas of its source's counters since it started.
 *
 * With pace guest (control_args.h) an event also waits until the guest has
 * counted the one before, at most STORM_PACE_WAIT_NS; one it has not counted
 * by then is reported as unanswered and the storm goes on.
 *
 * The thread never touches the control socket: when it ends it writes to
 * notify_fd (an eventfd of the main loop), and the control server then
 * joins it and announces the result.
 */
#ifndef IRQVM_STORM_H
#define IRQVM_STORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/control/control_args.h"
#include "vmm/core/stats.h"

struct vm;
struct storm;

struct storm_report {
	unsigned id;
	struct storm_params params;
	bool finished;
	const char *end_reason; /* "count", "duration", "stopped", "vm stopped", "running" */
	uint64_t sent;          /* injections made by this storm */
	uint64_t unanswered;    /* pace guest: events not counted by the guest in time */
	struct stats_counts counts; /* the source's counters since the storm began */
	uint64_t guest_handled; /* the guest's handler entries on the target's vector since then */
	bool guest_known;       /* a statistics page and a decodable target vector exist */
	int guest_cpu, guest_vector; /* where those are counted (-1: unknown / any CPU) */
	uint64_t guest_base;    /* the guest's count there when the storm began */
	uint64_t elapsed_ns;
	double rate;            /* achieved, injections per second */
	uint64_t eta_ns;        /* estimated time left; 0 when finished or unknown */
	uint64_t max_late_ns;   /* worst lateness of an injection against its schedule */
	uint64_t mean_late_ns;
};

/* Starts the thread. 0, or -1 with err. The storm keeps a pointer to vm. */
int storm_start(struct vm *vm, const struct storm_params *p, unsigned id, int notify_fd,
		struct storm **out, char *err, size_t errlen);
void storm_request_stop(struct storm *st);
bool storm_finished(const struct storm *st);
unsigned storm_id(const struct storm *st);
/* The source it injects into (to refuse a second storm on the same one). */
const struct stats_source *storm_source(const struct storm *st);
/* A consistent snapshot; may be called from any thread while it runs. */
void storm_get_report(struct storm *st, struct storm_report *r);
/* Stops it if needed, joins the thread and frees it. */
void storm_destroy(struct storm *st);

#endif
