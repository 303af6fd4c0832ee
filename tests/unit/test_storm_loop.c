/* SPDX-License-Identifier: MIT */
/* The storm loop (vmm/control/storm_loop.h) on a simulated clock: when events
 * leave, why the loop ends, and the lateness it accounts. */
#include <criterion/criterion.h>
#include <string.h>

#include "vmm/control/storm_loop.h"
#include "vmm/core/event_loop.h"

#define MAX_EVENTS 256

struct sim {
	uint64_t now;         /* the simulated CLOCK_MONOTONIC */
	uint64_t fire_cost;   /* how far the clock moves during one event */
	uint64_t first_cost;  /* during the first event instead, if not 0 */
	uint64_t fired[MAX_EVENTS];
	unsigned nfired;
	unsigned stop_after;  /* the stop check ends the loop after this many events; 0: never */
	unsigned fail_at;     /* fire fails at this event (1-based); 0: never */
	unsigned afters;
	uint64_t longest_wait;
	unsigned stop_checks;
};

static uint64_t sim_now(void *o)
{
	return ((struct sim *)o)->now;
}

static void sim_wait(void *o, uint64_t t)
{
	struct sim *s = o;
	cr_assert_gt(t, s->now, "a wait always moves forward");
	if (t - s->now > s->longest_wait)
		s->longest_wait = t - s->now;
	s->now = t;
}

static const char *sim_stop(void *o)
{
	struct sim *s = o;
	s->stop_checks++;
	return s->stop_after && s->nfired >= s->stop_after ? "stopped" : NULL;
}

static const char *sim_fire(void *o, uint64_t now)
{
	struct sim *s = o;
	if (s->fail_at && s->nfired + 1 == s->fail_at)
		return "error";
	cr_assert_eq(now, s->now);
	cr_assert_lt(s->nfired, MAX_EVENTS);
	s->fired[s->nfired++] = now;
	s->now += s->nfired == 1 && s->first_cost ? s->first_cost : s->fire_cost;
	return NULL;
}

static void sim_after(void *o, const struct storm_loop_state *st, uint64_t now)
{
	struct sim *s = o;
	s->afters++;
	cr_assert_eq(st->sent, s->nfired, "after sees the event just sent");
	cr_assert_eq(now, s->fired[s->nfired - 1]);
}

static const struct storm_loop_ops sim_ops = {
	.stop = sim_stop, .fire = sim_fire, .after = sim_after, .now = sim_now,
	.wait_until = sim_wait,
};

static struct storm_loop_state run(struct sim *s, const struct storm_params *p, uint64_t start)
{
	struct storm_loop_state st;
	storm_loop_run(p, start, &sim_ops, s, &st);
	return st;
}

static struct storm_params params(double rate, uint64_t count, uint64_t duration_ns)
{
	struct storm_params p;
	memset(&p, 0, sizeof(p));
	p.rate = rate;
	p.count = count;
	p.duration_ns = duration_ns;
	p.pattern.kind = STORM_PATTERN_CONSTANT;
	p.seed = 1;
	return p;
}

Test(storm_loop, count_sends_that_many_events_on_schedule_and_ends_with_count)
{
	struct sim s = { .now = 5000 };
	struct storm_params p = params(1000, 10, 0);
	struct storm_loop_state st = run(&s, &p, 5000);
	cr_assert_str_eq(st.reason, "count");
	cr_assert_eq(st.sent, 10);
	cr_assert_eq(s.nfired, 10);
	for (unsigned k = 0; k < 10; k++)
		cr_assert_eq(s.fired[k], 5000 + k * 1000000ull, "event %u", k);
	cr_assert_eq(st.max_late_ns, 0);
	cr_assert_eq(st.sum_late_ns, 0);
	cr_assert_eq(s.afters, 10);
	cr_assert_eq(st.start_ns, 5000);
	cr_assert_eq(st.end_ns, UINT64_MAX);
}

Test(storm_loop, duration_ends_the_storm_at_start_plus_duration)
{
	struct sim s = { 0 };
	struct storm_params p = params(1000, 0, 10000000); /* 1000/s for 10 ms */
	struct storm_loop_state st = run(&s, &p, 0);
	cr_assert_str_eq(st.reason, "duration");
	cr_assert_eq(st.sent, 10, "events at 0..9 ms; the one due at 10 ms is past the end");
	cr_assert_eq(st.end_ns, 10000000);
	cr_assert_eq(s.now, 10000000, "the last wait stops at the end, not at the next event");
}

Test(storm_loop, the_callers_stop_check_ends_it_with_its_reason)
{
	struct sim s = { .stop_after = 3 };
	struct storm_params p = params(100, 50, 0);
	struct storm_loop_state st = run(&s, &p, 0);
	cr_assert_str_eq(st.reason, "stopped");
	cr_assert_eq(st.sent, 3);
}

Test(storm_loop, the_stop_check_wins_over_count)
{
	struct sim s = { .stop_after = 4 };
	struct storm_params p = params(100, 4, 0);
	struct storm_loop_state st = run(&s, &p, 0);
	cr_assert_str_eq(st.reason, "stopped");
}

Test(storm_loop, a_failed_event_ends_it_and_is_not_counted)
{
	struct sim s = { .fail_at = 4 };
	struct storm_params p = params(1000, 10, 0);
	struct storm_loop_state st = run(&s, &p, 0);
	cr_assert_str_eq(st.reason, "error");
	cr_assert_eq(st.sent, 3);
	cr_assert_eq(s.afters, 3);
}

Test(storm_loop, late_events_go_at_once_and_their_lateness_is_accounted)
{
	/* Each event takes 1.5 periods: event k leaves at 1.5k ms, due at k ms. */
	struct sim s = { .fire_cost = 1500000 };
	struct storm_params p = params(1000, 5, 0);
	struct storm_loop_state st = run(&s, &p, 0);
	cr_assert_eq(st.sent, 5);
	uint64_t sum = 0;
	for (unsigned k = 0; k < 5; k++) {
		cr_assert_eq(s.fired[k], k * 1500000ull, "event %u", k);
		sum += k * 500000ull;
	}
	cr_assert_eq(st.max_late_ns, 4 * 500000ull);
	cr_assert_eq(st.sum_late_ns, sum);
}

Test(storm_loop, max_rate_sends_back_to_back_and_nothing_is_late)
{
	struct sim s = { .fire_cost = 1000 };
	struct storm_params p = params(0, 20, 0);
	struct storm_loop_state st = run(&s, &p, 0);
	cr_assert_eq(st.sent, 20);
	cr_assert_eq(s.fired[19], 19000);
	cr_assert_eq(st.max_late_ns, 0);
	cr_assert_eq(s.longest_wait, 0, "no waits at all");
}

Test(storm_loop, max_wait_splits_long_waits_so_stop_is_looked_at)
{
	struct sim s = { 0 };
	struct storm_loop_ops ops = sim_ops;
	ops.max_wait_ns = 20000000; /* 20 ms */
	struct storm_params p = params(1, 2, 0); /* 1/s: the second event is 1 s away */
	struct storm_loop_state st;
	storm_loop_run(&p, 0, &ops, &s, &st);
	cr_assert_eq(st.sent, 2);
	cr_assert_eq(s.fired[1], 1000000000ull);
	cr_assert_eq(s.longest_wait, 20000000);
	cr_assert_geq(s.stop_checks, 50, "the stop check ran after every 20 ms wait");
}

Test(storm_loop, burst_pattern_sends_groups_at_the_same_instant)
{
	struct sim s = { 0 };
	struct storm_params p = params(1000, 8, 0);
	p.pattern.kind = STORM_PATTERN_BURST;
	p.pattern.burst = 4;
	cr_assert_eq(run(&s, &p, 0).sent, 8);
	for (unsigned k = 0; k < 8; k++)
		cr_assert_eq(s.fired[k], (k / 4) * 4000000ull, "event %u", k);
}

static const char *count_fire(void *o, uint64_t now)
{
	(void)now;
	(*(unsigned *)o)++;
	return NULL;
}

Test(storm_loop, without_clock_callbacks_it_runs_on_the_real_clock)
{
	unsigned fired = 0;
	struct storm_loop_ops ops = { .fire = count_fire }; /* no stop, after, now, wait */
	struct storm_params p = params(10000, 3, 0);        /* 3 events 100 us apart */
	struct storm_loop_state st;
	uint64_t t0 = monotonic_ns();
	storm_loop_run(&p, t0, &ops, &fired, &st);
	cr_assert_str_eq(st.reason, "count");
	cr_assert_eq(st.sent, 3);
	cr_assert_eq(fired, 3);
	cr_assert_geq(monotonic_ns() - t0, 200000, "the third event was due 200 us after the start");
}

/* Under pace guest the event waits for the guest inside fire: a slow answer
 * shifts the schedule (a ceiling then), so the events after it keep their
 * spacing instead of catching up in a burst above the rate. */
Test(storm_loop, paced_events_never_go_faster_than_the_rate_after_a_slow_one)
{
	/* The first answer takes 10 ms (ten periods), the others 10 ns. */
	struct sim s = { .now = 1000, .fire_cost = 10, .first_cost = 10000000 };
	struct storm_params p = params(1000, 6, 0); /* a ceiling of one per ms */
	p.pace = STORM_PACE_GUEST;
	struct storm_loop_state st = run(&s, &p, 1000);
	cr_assert_eq(st.sent, 6);
	for (unsigned i = 1; i < s.nfired; i++)
		cr_assert_geq(s.fired[i] - s.fired[i - 1], 1000000ull,
			      "event %u left %llu ns after the one before", i,
			      (unsigned long long)(s.fired[i] - s.fired[i - 1]));
	cr_assert_eq(st.max_late_ns, 0, "nothing is late under pace guest");
	cr_assert_eq(st.sum_late_ns, 0);
}

Test(storm_loop, paced_events_keep_the_rate_when_the_guest_answers_at_once)
{
	struct sim s = { .now = 1000, .fire_cost = 10 };
	struct storm_params p = params(1000, 5, 0);
	p.pace = STORM_PACE_GUEST;
	run(&s, &p, 1000);
	cr_assert_eq(s.nfired, 5);
	for (unsigned i = 1; i < s.nfired; i++)
		cr_assert_geq(s.fired[i] - s.fired[i - 1], 1000000ull, "event %u", i);
}
