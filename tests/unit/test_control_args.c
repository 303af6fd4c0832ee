/* SPDX-License-Identifier: MIT */
/* Argument validation shared by the CLI and the control server. */
#include <criterion/criterion.h>
#include <string.h>

#include "vmm/control/control_args.h"

static struct ctl_target target_ok(const char *s)
{
	struct ctl_target t;
	char err[256];
	cr_assert_eq(ctl_parse_target(s, &t, err, sizeof(err)), 0, "%s: %s", s, err);
	return t;
}

static void target_bad(const char *s, const char *needle)
{
	struct ctl_target t;
	char err[256] = "";
	cr_assert_eq(ctl_parse_target(s, &t, err, sizeof(err)), -1, "'%s' accepted", s);
	cr_assert(strstr(err, needle), "'%s': message '%s' lacks '%s'", s, err, needle);
}

Test(control_args, each_target_kind_parses)
{
	struct ctl_target t = target_ok("irq:4");
	cr_assert_eq(t.kind, CTL_TARGET_IRQ);
	cr_assert_eq(t.line, 4);
	t = target_ok("gsi:17");
	cr_assert_eq(t.kind, CTL_TARGET_GSI);
	cr_assert_eq(t.line, 17);
	t = target_ok("msi:1:0x40");
	cr_assert_eq(t.kind, CTL_TARGET_MSI);
	cr_assert_eq(t.cpu, 1);
	cr_assert_eq(t.vector, 64);
	t = target_ok("ipi:3:200");
	cr_assert_eq(t.kind, CTL_TARGET_IPI);
	cr_assert_eq(t.cpu, 3);
	cr_assert_eq(t.vector, 200);
	t = target_ok("nmi:2");
	cr_assert_eq(t.kind, CTL_TARGET_NMI);
	cr_assert_eq(t.cpu, 2);
}

Test(control_args, target_spelling_round_trips)
{
	static const char *const specs[] = { "irq:4", "gsi:23", "msi:0:64", "ipi:7:255", "nmi:1" };
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		char buf[32];
		struct ctl_target t = target_ok(specs[i]);
		cr_assert_str_eq(ctl_target_str(&t, buf, sizeof(buf)), specs[i]);
	}
}

Test(control_args, unknown_target_kind_is_refused_with_the_grammar)
{
	target_bad("pin:4", "unknown target");
	target_bad("", "unknown target");
	target_bad("irq", "irq:N");
}

Test(control_args, vector_below_16_is_refused_as_reserved)
{
	target_bad("msi:0:15", "reserved");
	target_bad("ipi:0:0", "reserved");
}

Test(control_args, vector_above_255_is_refused)
{
	target_bad("msi:0:256", "out of range");
}

Test(control_args, isa_irq_range_and_cascade_are_checked)
{
	target_bad("irq:16", "out of range");
	target_bad("irq:2", "cascade");
	target_ok("gsi:2");
}

Test(control_args, cpu_beyond_the_maximum_vcpus_is_refused)
{
	target_bad("msi:8:64", "out of range");
	target_bad("nmi:99", "out of range");
}

Test(control_args, negative_and_malformed_numbers_are_refused)
{
	target_bad("gsi:-1", "negative");
	target_bad("msi:0:x40", "unsigned integer");
	target_bad("msi:0:64:1", "msi:CPU:VECTOR");
	target_bad("gsi:4x", "unsigned integer");
}

Test(control_args, target_is_checked_against_the_running_vm)
{
	char err[256];
	struct ctl_target t = target_ok("msi:3:64");
	cr_assert_eq(ctl_check_target_in_vm(&t, 4, 24, err, sizeof(err)), 0);
	cr_assert_eq(ctl_check_target_in_vm(&t, 2, 24, err, sizeof(err)), -1);
	cr_assert(strstr(err, "2 vCPUs"), "%s", err);
	t = target_ok("gsi:30");
	cr_assert_eq(ctl_check_target_in_vm(&t, 1, 24, err, sizeof(err)), -1);
	cr_assert(strstr(err, "0..23"), "%s", err);
}

static double rate_ok(const char *s)
{
	double r;
	char err[256];
	cr_assert_eq(ctl_parse_rate(s, &r, err, sizeof(err)), 0, "%s: %s", s, err);
	return r;
}

static void rate_bad(const char *s, const char *needle)
{
	double r;
	char err[256] = "";
	cr_assert_eq(ctl_parse_rate(s, &r, err, sizeof(err)), -1, "'%s' accepted", s);
	cr_assert(strstr(err, needle), "'%s': '%s' lacks '%s'", s, err, needle);
}

Test(control_args, rate_spellings)
{
	cr_assert_float_eq(rate_ok("1000"), 1000.0, 1e-9);
	cr_assert_float_eq(rate_ok("1000/s"), 1000.0, 1e-9);
	cr_assert_float_eq(rate_ok("2.5k/s"), 2500.0, 1e-9);
	cr_assert_float_eq(rate_ok("1M/s"), 1e6, 1e-9);
	cr_assert_float_eq(rate_ok("max"), 0.0, 1e-12, "max is 0: no schedule");
}

Test(control_args, negative_zero_and_malformed_rates_are_refused)
{
	rate_bad("-100/s", "positive");
	rate_bad("0", "positive");
	rate_bad("fast", "bad rate");
	rate_bad("10/m", "bad rate");
	rate_bad("1e9", "bad rate");
	rate_bad("200M/s", "limit");
}

Test(control_args, duration_units)
{
	uint64_t ns;
	char err[256];
	cr_assert_eq(ctl_parse_duration("10", &ns, err, sizeof(err)), 0);
	cr_assert_eq(ns, 10000000000ull);
	cr_assert_eq(ctl_parse_duration("1.5s", &ns, err, sizeof(err)), 0);
	cr_assert_eq(ns, 1500000000ull);
	cr_assert_eq(ctl_parse_duration("500ms", &ns, err, sizeof(err)), 0);
	cr_assert_eq(ns, 500000000ull);
	cr_assert_eq(ctl_parse_duration("250us", &ns, err, sizeof(err)), 0);
	cr_assert_eq(ns, 250000ull);
	cr_assert_eq(ctl_parse_duration("2m", &ns, err, sizeof(err)), 0);
	cr_assert_eq(ns, 120000000000ull);
}

Test(control_args, bad_durations_are_refused)
{
	uint64_t ns;
	char err[256];
	cr_assert_eq(ctl_parse_duration("-1s", &ns, err, sizeof(err)), -1);
	cr_assert(strstr(err, "positive"), "%s", err);
	cr_assert_eq(ctl_parse_duration("0", &ns, err, sizeof(err)), -1);
	cr_assert_eq(ctl_parse_duration("3h", &ns, err, sizeof(err)), -1);
	cr_assert_eq(ctl_parse_duration("2d", &ns, err, sizeof(err)), -1);
	cr_assert_eq(ctl_parse_duration("90000", &ns, err, sizeof(err)), -1);
	cr_assert(strstr(err, "day"), "%s", err);
}

Test(control_args, patterns)
{
	struct storm_pattern p;
	char err[256], buf[32];
	cr_assert_eq(ctl_parse_pattern("constant", &p, err, sizeof(err)), 0);
	cr_assert_eq(p.kind, STORM_PATTERN_CONSTANT);
	cr_assert_eq(ctl_parse_pattern("poisson", &p, err, sizeof(err)), 0);
	cr_assert_eq(p.kind, STORM_PATTERN_POISSON);
	cr_assert_eq(ctl_parse_pattern("burst:16", &p, err, sizeof(err)), 0);
	cr_assert_eq(p.kind, STORM_PATTERN_BURST);
	cr_assert_eq(p.burst, 16);
	cr_assert_str_eq(ctl_pattern_str(&p, buf, sizeof(buf)), "burst:16");
	cr_assert_eq(ctl_parse_pattern("burst:0", &p, err, sizeof(err)), -1);
	cr_assert_eq(ctl_parse_pattern("burst:", &p, err, sizeof(err)), -1);
	cr_assert_eq(ctl_parse_pattern("zigzag", &p, err, sizeof(err)), -1);
	cr_assert(strstr(err, "constant, burst:N or poisson"), "%s", err);
}

Test(control_args, levels_and_their_synonyms)
{
	enum ctl_level l;
	char err[256];
	cr_assert_eq(ctl_parse_level("high", &l, err, sizeof(err)), 0);
	cr_assert_eq(l, CTL_LEVEL_HIGH);
	cr_assert_eq(ctl_parse_level("raise", &l, err, sizeof(err)), 0);
	cr_assert_eq(l, CTL_LEVEL_HIGH);
	cr_assert_eq(ctl_parse_level("lower", &l, err, sizeof(err)), 0);
	cr_assert_eq(l, CTL_LEVEL_LOW);
	cr_assert_eq(ctl_parse_level("pulse", &l, err, sizeof(err)), 0);
	cr_assert_eq(l, CTL_LEVEL_PULSE);
	cr_assert_eq(ctl_parse_level("medium", &l, err, sizeof(err)), -1);
}

static struct storm_params storm(double rate, uint64_t count, uint64_t duration_ns,
				 enum storm_pattern_kind kind)
{
	struct storm_params p = { .rate = rate, .count = count, .duration_ns = duration_ns,
				  .pattern = { .kind = kind, .burst = 4 } };
	return p;
}

Test(control_args, storm_needs_exactly_one_of_count_and_duration)
{
	char err[256];
	struct storm_params p = storm(1000, 10, 1000000, STORM_PATTERN_CONSTANT);
	cr_assert_eq(ctl_check_storm(&p, err, sizeof(err)), -1);
	p = storm(1000, 0, 0, STORM_PATTERN_CONSTANT);
	cr_assert_eq(ctl_check_storm(&p, err, sizeof(err)), -1);
	cr_assert(strstr(err, "exactly one"), "%s", err);
	p = storm(1000, 10, 0, STORM_PATTERN_CONSTANT);
	cr_assert_eq(ctl_check_storm(&p, err, sizeof(err)), 0);
}

Test(control_args, storm_patterns_other_than_constant_need_a_rate)
{
	char err[256];
	struct storm_params p = storm(0, 10, 0, STORM_PATTERN_POISSON);
	cr_assert_eq(ctl_check_storm(&p, err, sizeof(err)), -1);
	p = storm(0, 10, 0, STORM_PATTERN_BURST);
	cr_assert_eq(ctl_check_storm(&p, err, sizeof(err)), -1);
	p = storm(0, 10, 0, STORM_PATTERN_CONSTANT);
	cr_assert_eq(ctl_check_storm(&p, err, sizeof(err)), 0, "max with constant is fine");
}

Test(control_args, storm_refuses_a_negative_rate)
{
	char err[256];
	struct storm_params p = storm(-5, 10, 0, STORM_PATTERN_CONSTANT);
	cr_assert_eq(ctl_check_storm(&p, err, sizeof(err)), -1);
}

/* Rates are checked against a documented range: a rate that rounds to no
 * event in a day is not a storm, and its period (1e20 ns here) has no
 * integer nanosecond value. */
Test(control_args, rate_below_the_minimum_is_refused)
{
	rate_bad("0.00000000001/s", "minimum");
	rate_bad("0.0001", "minimum");
	cr_assert_float_eq(rate_ok("0.001/s"), 0.001, 1e-12, "the minimum itself");
}

Test(control_args, storm_refuses_a_rate_below_the_minimum)
{
	char err[256] = "";
	struct storm_params p = storm(1e-11, 10, 0, STORM_PATTERN_CONSTANT);
	cr_assert_eq(ctl_check_storm(&p, err, sizeof(err)), -1);
	cr_assert(strstr(err, "minimum"), "%s", err);
}
