/* SPDX-License-Identifier: MIT */
#include "vmm/control/storm.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "vmm/control/storm_target.h"
#include "vmm/core/event_loop.h"
#include "vmm/core/vm.h"

/* The thread sleeps until shortly before an event and spins the rest of the
 * way. How early it must wake is learned: a sleep's wake-up overshoot is a
 * few microseconds on bare metal but tens to hundreds on a virtualised host,
 * so each thread tracks its own (a running average, x2 for safety). */
#define STORM_MIN_EARLY_NS 5000ull
#define STORM_MAX_EARLY_NS 1000000ull
/* How often the thread looks at stop requests while it waits, and reads the
 * guest's latency samples (its rings overflow quickly during a storm). */
#define STORM_CHECK_NS 20000000ull
#define STORM_POLL_NS 2000000ull
/* After the last NMI request, how long the vCPU threads get to issue the queue. */
#define STORM_NMI_DRAIN_NS 2000000000ull

struct storm {
	struct vm *vm;
	unsigned id;
	struct storm_params p;
	struct storm_target_ctx tgt;
	int notify_fd;
	pthread_t thread;
	bool thread_started;
	_Atomic bool stop_requested;
	_Atomic bool finished;
	pthread_mutex_t lock; /* protects the fields below */
	const char *end_reason;
	uint64_t sent;
	uint64_t t_start, t_end;
	uint64_t max_late_ns, sum_late_ns;
	struct stats_counts base;
	uint64_t base_handled;
};

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

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
		cpu_relax();
		sched_yield();
	}
}

static void finish(struct storm *st, const char *reason)
{
	/* NMIs are issued by the vCPU threads: give them time to empty the queue
	 * so that the storm's final counts add up (pending == 0). */
	if (st->p.target.kind == CTL_TARGET_NMI) {
		uint64_t until = monotonic_ns() + STORM_NMI_DRAIN_NS;
		struct stats_counts c;
		do {
			stats_source_counts(st->vm->stats, st->tgt.src, &c);
			if (!c.pending || vm_stopping(st->vm))
				break;
			vcpu_kick(&st->vm->vcpus[st->p.target.cpu]); /* the last ones were not */
			usleep(1000);
		} while (monotonic_ns() < until);
	}
	stats_guest_poll(st->vm->stats);
	pthread_mutex_lock(&st->lock);
	st->end_reason = reason;
	st->t_end = monotonic_ns();
	pthread_mutex_unlock(&st->lock);
	atomic_store(&st->finished, true);
	uint64_t one = 1;
	if (write(st->notify_fd, &one, sizeof(one)) < 0) {
		/* The eventfd cannot overflow with one write per storm; nothing to do. */
	}
}

static void *storm_thread(void *opaque)
{
	struct storm *st = opaque;
	struct vm *vm = st->vm;
	const struct storm_params *p = &st->p;
	struct storm_sched sched;
	const char *reason = "stopped";
	uint64_t sent = 0, max_late = 0, sum_late = 0;

	/* Default timer slack (50 us) would make every sleep late by that much. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	storm_sched_init(&sched, &p->pattern, p->rate, p->seed);
	uint64_t start = st->t_start;
	uint64_t end = p->duration_ns ? start + p->duration_ns : UINT64_MAX;
	uint64_t due = start + storm_sched_next(&sched);
	uint64_t next_poll = start + STORM_POLL_NS, next_publish = start;

	for (;;) {
		if (atomic_load_explicit(&st->stop_requested, memory_order_relaxed)) {
			reason = "stopped";
			break;
		}
		if (vm_stopping(vm)) {
			reason = "vm stopped";
			break;
		}
		if (p->count && sent >= p->count) {
			reason = "count";
			break;
		}
		uint64_t now = monotonic_ns();
		if (now >= end) {
			reason = "duration";
			break;
		}
		if (now < due) {
			uint64_t until = due;
			if (until > end)
				until = end;
			if (until > now + STORM_CHECK_NS)
				until = now + STORM_CHECK_NS;
			storm_wait_until(until);
			continue;
		}
		/* "max" has no schedule: nothing can be late. */
		uint64_t late = p->rate > 0 ? now - due : 0;
		if (late > max_late)
			max_late = late;
		sum_late += late;
		storm_target_inject(&st->tgt, now);
		sent++;
		due = start + storm_sched_next(&sched);
		if (now >= next_publish) {
			pthread_mutex_lock(&st->lock);
			st->sent = sent;
			st->max_late_ns = max_late;
			st->sum_late_ns = sum_late;
			pthread_mutex_unlock(&st->lock);
			next_publish = now + 1000000;
		}
		if (now >= next_poll) {
			stats_guest_poll(vm->stats);
			next_poll = now + STORM_POLL_NS;
		}
	}
	pthread_mutex_lock(&st->lock);
	st->sent = sent;
	st->max_late_ns = max_late;
	st->sum_late_ns = sum_late;
	pthread_mutex_unlock(&st->lock);
	finish(st, reason);
	return NULL;
}

int storm_start(struct vm *vm, const struct storm_params *p, unsigned id, int notify_fd,
		struct storm **out, char *err, size_t errlen)
{
	if (ctl_check_storm(p, err, errlen) < 0)
		return -1;
	struct storm *st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	st->vm = vm;
	st->id = id;
	st->p = *p;
	st->notify_fd = notify_fd;
	st->end_reason = "running";
	pthread_mutex_init(&st->lock, NULL);
	if (storm_target_init(&st->tgt, vm, &p->target, err, errlen) < 0) {
		pthread_mutex_destroy(&st->lock);
		free(st);
		return -1;
	}
	st->tgt.throttle_kicks = true;
	stats_source_counts(vm->stats, st->tgt.src, &st->base);
	st->base_handled = storm_target_guest_handled(&st->tgt);
	st->t_start = monotonic_ns();
	int e = pthread_create(&st->thread, NULL, storm_thread, st);
	if (e) {
		snprintf(err, errlen, "cannot start the storm thread: %s", strerror(e));
		pthread_mutex_destroy(&st->lock);
		free(st);
		return -1;
	}
	st->thread_started = true;
	char name[16];
	snprintf(name, sizeof(name), "storm%u", id);
	pthread_setname_np(st->thread, name);
	*out = st;
	return 0;
}

void storm_request_stop(struct storm *st)
{
	atomic_store(&st->stop_requested, true);
}

bool storm_finished(const struct storm *st)
{
	return atomic_load(&st->finished);
}

unsigned storm_id(const struct storm *st)
{
	return st->id;
}

const struct stats_source *storm_source(const struct storm *st)
{
	return st->tgt.src;
}

static uint64_t sub_floor(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

void storm_get_report(struct storm *st, struct storm_report *r)
{
	memset(r, 0, sizeof(*r));
	bool done = storm_finished(st);
	struct stats_counts now;
	stats_source_counts(st->vm->stats, st->tgt.src, &now);
	uint64_t handled = storm_target_guest_handled(&st->tgt);
	pthread_mutex_lock(&st->lock);
	r->id = st->id;
	r->params = st->p;
	r->finished = done;
	r->end_reason = st->end_reason;
	r->sent = st->sent;
	r->counts = (struct stats_counts){
		.injected = sub_floor(now.injected, st->base.injected),
		.delivered = sub_floor(now.delivered, st->base.delivered),
		.coalesced = sub_floor(now.coalesced, st->base.coalesced),
		.dropped = sub_floor(now.dropped, st->base.dropped),
		.pending = now.pending,
	};
	r->guest_known = st->tgt.vector >= 0 && stats_guest_registered(st->vm->stats);
	r->guest_handled = sub_floor(handled, st->base_handled);
	r->guest_cpu = st->tgt.cpu;
	r->guest_vector = st->tgt.vector;
	r->guest_base = st->base_handled;
	uint64_t t_end = done ? st->t_end : monotonic_ns();
	r->elapsed_ns = t_end - st->t_start;
	r->rate = r->elapsed_ns ? (double)r->sent * 1e9 / (double)r->elapsed_ns : 0;
	r->max_late_ns = st->max_late_ns;
	r->mean_late_ns = st->sent ? st->sum_late_ns / st->sent : 0;
	if (!done) {
		if (st->p.duration_ns)
			r->eta_ns = sub_floor(st->p.duration_ns, r->elapsed_ns);
		else if (r->rate > 0)
			r->eta_ns = (uint64_t)((double)sub_floor(st->p.count, r->sent) / r->rate * 1e9);
	}
	pthread_mutex_unlock(&st->lock);
}

void storm_destroy(struct storm *st)
{
	if (!st)
		return;
	storm_request_stop(st);
	if (st->thread_started)
		pthread_join(st->thread, NULL);
	pthread_mutex_destroy(&st->lock);
	free(st);
}
