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

#include "vmm/control/storm_loop.h"
#include "vmm/control/storm_sched.h"
#include "vmm/control/storm_target.h"
#include "vmm/core/arch.h"
#include "vmm/core/event_loop.h"
#include "vmm/core/vm.h"

/* How often the thread looks at stop requests while it waits, and reads the
 * guest's latency samples (its rings overflow quickly during a storm). */
#define STORM_CHECK_NS 20000000ull
#define STORM_POLL_NS 2000000ull
/* How often the totals are published to storm_get_report. */
#define STORM_PUBLISH_NS 1000000ull
/* After the last NMI request, how long the vCPU threads get to issue the queue. */
#define STORM_NMI_DRAIN_NS 2000000000ull
/* Pace guest: a busy poll of the guest's count for this long, then short sleeps,
 * so a guest that answers in microseconds is not slowed by a sleep's wake-up
 * and a slow one does not have this thread spinning beside its vCPUs. */
#define STORM_PACE_SPIN_NS 50000ull
#define STORM_PACE_NAP_NS 10000ull

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
	uint64_t next_publish, next_poll; /* storm thread only */
	/* Storm thread only: injections made; pace guest: the guest's count at the
	 * last send, when it left, and when the storm must end (duration). */
	uint64_t fired, pace_from, last_send_ns, end_ns;
	pthread_mutex_t lock; /* protects the fields below */
	const char *end_reason;
	uint64_t sent;
	uint64_t unanswered; /* pace guest: events the guest did not count in time */
	uint64_t t_start, t_end;
	uint64_t max_late_ns, sum_late_ns;
	struct stats_counts base;
	uint64_t base_handled;
};

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

static const char *storm_stop_check(void *opaque)
{
	struct storm *st = opaque;
	if (atomic_load_explicit(&st->stop_requested, memory_order_relaxed))
		return "stopped";
	if (vm_stopping(st->vm))
		return "vm stopped";
	return NULL;
}

static void nap(uint64_t ns)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)ns };
	nanosleep(&ts, NULL);
}

/* Pace guest: the guest's count on the target now, and whether a level
 * line's last interrupt is still in service. */
static uint64_t guest_progress(struct storm *st, bool *in_service)
{
	struct storm_target_route r;
	storm_target_route(&st->tgt, &r);
	*in_service = r.level_in_service;
	return storm_target_guest_handled(&st->tgt, &r);
}

/*
 * Pace guest: waits until the guest has finished with the event sent last:
 * its count on the target moved past what it was at that send and, on a
 * level-triggered line, that interrupt is over (a pulse sent while Remote
 * IRR is still set would be coalesced: 82093AA datasheet 3.2.4; likewise
 * the 8259's ISR bit). Each wait counts from the previous send, so an event
 * answered late can let at most the next one go early, not every later one.
 * An event not finished within STORM_PACE_WAIT_NS of its sending (time the
 * VM spends paused not counted) is unanswered: counted, and the storm goes
 * on. A guest that restarts its counts re-bases the wait. Returns a reason
 * to end ("stopped", "vm stopped", "duration"), or NULL.
 */
static const char *wait_for_guest(struct storm *st)
{
	uint64_t since = st->last_send_ns;
	for (;;) {
		bool in_service;
		uint64_t handled = guest_progress(st, &in_service);
		if (handled < st->pace_from)
			st->pace_from = handled; /* the guest restarted its counts */
		if (handled > st->pace_from && !in_service)
			return NULL;
		const char *why = storm_stop_check(st);
		if (why)
			return why;
		uint64_t now = monotonic_ns();
		if (now >= st->end_ns)
			return "duration";
		if (atomic_load(&st->vm->paused))
			since = now;
		if (now - since >= STORM_PACE_WAIT_NS) {
			pthread_mutex_lock(&st->lock);
			st->unanswered++;
			pthread_mutex_unlock(&st->lock);
			return NULL;
		}
		if (now - since < STORM_PACE_SPIN_NS) {
			arch_cpu_relax();
			sched_yield();
		} else {
			nap(STORM_PACE_NAP_NS);
		}
	}
}

static const char *storm_fire(void *opaque, uint64_t now_ns)
{
	struct storm *st = opaque;
	if (st->p.pace == STORM_PACE_GUEST) {
		if (st->fired > 0) {
			const char *why = wait_for_guest(st);
			if (why)
				return why;
		}
		bool in_service;
		st->pace_from = guest_progress(st, &in_service);
		now_ns = monotonic_ns(); /* the injection leaves now, not at its schedule */
		st->last_send_ns = now_ns;
	}
	storm_target_inject(&st->tgt, now_ns);
	st->fired++;
	return NULL;
}

static void publish(struct storm *st, const struct storm_loop_state *s)
{
	pthread_mutex_lock(&st->lock);
	st->sent = s->sent;
	st->max_late_ns = s->max_late_ns;
	st->sum_late_ns = s->sum_late_ns;
	pthread_mutex_unlock(&st->lock);
}

static void storm_after(void *opaque, const struct storm_loop_state *s, uint64_t now_ns)
{
	struct storm *st = opaque;
	if (now_ns >= st->next_publish) {
		publish(st, s);
		st->next_publish = now_ns + STORM_PUBLISH_NS;
	}
	if (now_ns >= st->next_poll) {
		stats_guest_poll(st->vm->stats);
		st->next_poll = now_ns + STORM_POLL_NS;
	}
}

static void *storm_thread(void *opaque)
{
	struct storm *st = opaque;
	const struct storm_loop_ops ops = { .stop = storm_stop_check, .fire = storm_fire,
					    .after = storm_after, .max_wait_ns = STORM_CHECK_NS };
	struct storm_loop_state s;

	/* Default timer slack (50 us) would make every sleep late by that much. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	st->next_poll = st->t_start + STORM_POLL_NS;
	st->next_publish = st->t_start;
	st->end_ns = st->p.duration_ns ? st->t_start + st->p.duration_ns : UINT64_MAX;
	storm_loop_run(&st->p, st->t_start, &ops, st, &s);
	if (st->p.pace == STORM_PACE_GUEST && st->fired &&
	    (!strcmp(s.reason, "count") || !strcmp(s.reason, "duration"))) {
		/* The last event is waited for like the others: it can be
		 * unanswered too, and the rate covers every round trip. */
		st->end_ns = UINT64_MAX;
		wait_for_guest(st);
	}
	publish(st, &s);
	finish(st, s.reason);
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
	/* Paced NMIs go one at a time: each gets its kick. */
	st->tgt.throttle_kicks = p->pace != STORM_PACE_GUEST;
	if (p->pace == STORM_PACE_GUEST &&
	    (st->tgt.vector < 0 || !stats_guest_registered(vm->stats))) {
		snprintf(err, errlen, "pace guest needs the guest's own count of this interrupt: %s",
			 st->tgt.vector < 0 ? "the target's route is masked or not set up, so its "
					      "vector is unknown"
					    : "the guest registered no statistics page");
		pthread_mutex_destroy(&st->lock);
		free(st);
		return -1;
	}
	stats_source_counts(vm->stats, st->tgt.src, &st->base);
	struct storm_target_route route;
	storm_target_route(&st->tgt, &route);
	st->base_handled = storm_target_guest_handled(&st->tgt, &route);
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
	struct storm_target_route route;
	storm_target_route(&st->tgt, &route);
	uint64_t handled = storm_target_guest_handled(&st->tgt, &route);
	pthread_mutex_lock(&st->lock);
	r->id = st->id;
	r->params = st->p;
	r->finished = done;
	r->end_reason = st->end_reason;
	r->sent = st->sent;
	r->unanswered = st->unanswered;
	r->counts = (struct stats_counts){
		.injected = sub_floor(now.injected, st->base.injected),
		.delivered = sub_floor(now.delivered, st->base.delivered),
		.coalesced = sub_floor(now.coalesced, st->base.coalesced),
		.dropped = sub_floor(now.dropped, st->base.dropped),
		.pending = now.pending,
	};
	r->guest_known = route.vector >= 0 && stats_guest_registered(st->vm->stats);
	r->guest_handled = sub_floor(handled, st->base_handled);
	r->guest_cpu = route.cpu;
	r->guest_vector = route.vector;
	r->guest_base = st->base_handled;
	uint64_t t_end = done ? st->t_end : monotonic_ns();
	r->elapsed_ns = t_end - st->t_start;
	r->rate = r->elapsed_ns ? (double)r->sent * 1e9 / (double)r->elapsed_ns : 0;
	r->max_late_ns = st->max_late_ns;
	r->mean_late_ns = st->sent ? st->sum_late_ns / st->sent : 0;
	if (!done) {
		if (st->p.duration_ns)
			r->eta_ns = sub_floor(st->p.duration_ns, r->elapsed_ns);
		else
			r->eta_ns = storm_eta_ns(sub_floor(st->p.count, r->sent), r->rate);
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
