/* SPDX-License-Identifier: MIT */
/* Storm schedules (pure arithmetic: no clocks involved) and the latency histogram. */
#include <criterion/criterion.h>

#include "vmm/control/storm_sched.h"
#include "vmm/core/stats_hist.h"

static struct storm_sched sched(enum storm_pattern_kind kind, uint32_t burst, double rate,
				uint64_t seed)
{
	struct storm_pattern p = { .kind = kind, .burst = burst };
	struct storm_sched s;
	storm_sched_init(&s, &p, rate, seed);
	return s;
}

Test(control_storm_sched, constant_events_are_evenly_spaced)
{
	struct storm_sched s = sched(STORM_PATTERN_CONSTANT, 0, 1000, 1);
	for (uint64_t k = 0; k < 100; k++)
		cr_assert_eq(storm_sched_next(&s), k * 1000000ull, "event %llu", (unsigned long long)k);
}

Test(control_storm_sched, burst_events_come_in_groups_at_the_same_mean_rate)
{
	struct storm_sched s = sched(STORM_PATTERN_BURST, 4, 1000, 1);
	for (uint64_t k = 0; k < 40; k++)
		cr_assert_eq(storm_sched_next(&s), (k / 4) * 4000000ull, "event %llu",
			     (unsigned long long)k);
}

Test(control_storm_sched, max_rate_makes_every_event_due_at_once)
{
	struct storm_sched s = sched(STORM_PATTERN_CONSTANT, 0, 0, 1);
	for (int k = 0; k < 10; k++)
		cr_assert_eq(storm_sched_next(&s), 0);
}

Test(control_storm_sched, poisson_is_reproducible_from_its_seed)
{
	struct storm_sched a = sched(STORM_PATTERN_POISSON, 0, 5000, 42);
	struct storm_sched b = sched(STORM_PATTERN_POISSON, 0, 5000, 42);
	struct storm_sched c = sched(STORM_PATTERN_POISSON, 0, 5000, 43);
	bool differs = false;
	for (int k = 0; k < 1000; k++) {
		uint64_t ta = storm_sched_next(&a), tc = storm_sched_next(&c);
		cr_assert_eq(ta, storm_sched_next(&b));
		differs = differs || ta != tc;
	}
	cr_assert(differs, "another seed gives another storm");
}

Test(control_storm_sched, poisson_times_increase_with_the_requested_mean_gap)
{
	struct storm_sched s = sched(STORM_PATTERN_POISSON, 0, 10000, 7);
	uint64_t prev = 0, t = 0;
	const int n = 200000;
	for (int k = 0; k < n; k++) {
		t = storm_sched_next(&s);
		cr_assert_geq(t, prev);
		prev = t;
	}
	double mean_gap = (double)t / n;
	cr_assert(mean_gap > 99000 && mean_gap < 101000, "mean gap %.0f ns, want 100000", mean_gap);
}

Test(control_storm_sched, natural_log_matches_known_values)
{
	cr_assert_float_eq(storm_ln(1.0), 0.0, 1e-12);
	cr_assert_float_eq(storm_ln(2.0), 0.69314718055994530942, 1e-12);
	cr_assert_float_eq(storm_ln(10.0), 2.30258509299404568402, 1e-12);
	cr_assert_float_eq(storm_ln(1e-300), -690.77552789821370, 1e-9);
	cr_assert_float_eq(storm_ln(0.5), -0.69314718055994530942, 1e-12);
	cr_assert_float_eq(storm_ln(4.9e-324), -744.44007192138126, 1e-6, "subnormal");
}

Test(control_hist, small_values_have_exact_buckets)
{
	for (uint64_t v = 0; v < 16; v++) {
		cr_assert_eq(hist_bucket(v), v);
		cr_assert_eq(hist_bucket_max((unsigned)v), v);
	}
}

Test(control_hist, bucket_bound_is_within_one_eighth_above_the_value)
{
	uint64_t v = 16;
	for (int i = 0; i < 2000; i++, v = v * 1.013 + 1) {
		unsigned b = hist_bucket(v);
		cr_assert_lt(b, HIST_NR_BUCKETS);
		uint64_t hi = hist_bucket_max(b);
		cr_assert_geq(hi, v, "value %llu above its bucket bound %llu", (unsigned long long)v,
			      (unsigned long long)hi);
		cr_assert_leq((double)hi, (double)v * 1.125 + 1, "bucket too wide at %llu",
			      (unsigned long long)v);
		if (v > UINT64_MAX / 2)
			break;
	}
	cr_assert_lt(hist_bucket(UINT64_MAX), HIST_NR_BUCKETS);
}

Test(control_hist, empty_histogram_reports_zero)
{
	struct latency_hist h;
	hist_init(&h);
	cr_assert_eq(hist_percentile(&h, 0.5), 0);
	cr_assert_eq(h.max, 0);
}

Test(control_hist, percentiles_of_1_to_1000)
{
	struct latency_hist h;
	hist_init(&h);
	for (uint64_t v = 1; v <= 1000; v++)
		hist_add(&h, v);
	uint64_t p50 = hist_percentile(&h, 0.5), p99 = hist_percentile(&h, 0.99);
	cr_assert(p50 >= 500 && p50 <= 500 * 1.125, "p50 %llu", (unsigned long long)p50);
	cr_assert(p99 >= 990 && p99 <= 1000, "p99 %llu is capped by the maximum",
		  (unsigned long long)p99);
	cr_assert_eq(hist_percentile(&h, 1.0), 1000);
	cr_assert_eq(h.min, 1);
	cr_assert_eq(h.count, 1000);
	cr_assert_eq(h.sum, 500500);
}

Test(control_hist, single_sample_is_every_percentile)
{
	struct latency_hist h;
	hist_init(&h);
	hist_add(&h, 123456);
	cr_assert_eq(hist_percentile(&h, 0.5), 123456);
	cr_assert_eq(hist_percentile(&h, 0.99), 123456);
}

Test(control_hist, merge_adds_counts_and_keeps_extremes)
{
	struct latency_hist a, b;
	hist_init(&a);
	hist_init(&b);
	hist_add(&a, 10);
	hist_add(&b, 5);
	hist_add(&b, 1000);
	hist_merge(&a, &b);
	cr_assert_eq(a.count, 3);
	cr_assert_eq(a.min, 5);
	cr_assert_eq(a.max, 1000);
	cr_assert_eq(a.sum, 1015);
}

/* Due times past the end of the 64-bit nanosecond clock saturate: the
 * conversion of an out-of-range double to an integer is undefined (UBSan:
 * "outside the range of representable values"; gcc -O2 gave 0, so the
 * slowest storm fired at full speed). */
Test(control_storm_sched, due_times_beyond_the_clock_saturate)
{
	struct storm_sched s = sched(STORM_PATTERN_CONSTANT, 0, 1e-11, 1);
	cr_assert_eq(storm_sched_next(&s), 0);
	cr_assert_eq(storm_sched_next(&s), UINT64_MAX);
	s = sched(STORM_PATTERN_CONSTANT, 0, 0.001, 1);
	s.k = 1000000000000ull; /* the last event of a storm of CTL_MAX_COUNT */
	cr_assert_eq(storm_sched_next(&s), UINT64_MAX);
	s = sched(STORM_PATTERN_BURST, 2, 1e-11, 1);
	storm_sched_next(&s);
	storm_sched_next(&s);
	cr_assert_eq(storm_sched_next(&s), UINT64_MAX);
	s = sched(STORM_PATTERN_POISSON, 0, 1e-11, 1);
	for (int k = 0; k < 4; k++)
		cr_assert_eq(storm_sched_next(&s), UINT64_MAX);
}

/* The ETA goes into JSON integers: it saturates at INT64_MAX, never wraps. */
Test(control_storm_sched, eta_saturates)
{
	cr_assert_eq(storm_eta_ns(1000, 1000), 1000000000ull);
	cr_assert_eq(storm_eta_ns(5, 0), 0, "nothing measured yet");
	cr_assert_eq(storm_eta_ns(1000000000000ull, 0.001), INT64_MAX);
	cr_assert_eq(storm_eta_ns(UINT64_MAX, 1e-300), INT64_MAX);
}
