/* SPDX-License-Identifier: MIT */
/* The storm command's JSON arguments (vmm/control/storm_args.h). */
#include <criterion/criterion.h>
#include <string.h>

#include "vmm/control/storm_args.h"

static int parse(const char *json, struct storm_params *p, char *err, size_t len)
{
	json_error_t je;
	json_t *args = json_loads(json, 0, &je);
	cr_assert_not_null(args, "%s: %s", json, je.text);
	int r = storm_args_parse(args, p, err, len);
	json_decref(args);
	return r;
}

static void refused(const char *json, const char *needle)
{
	struct storm_params p;
	char err[512] = "";
	cr_assert_eq(parse(json, &p, err, sizeof(err)), -1, "%s accepted", json);
	cr_assert(strstr(err, needle), "%s: '%s' lacks '%s'", json, err, needle);
}

Test(storm_args, a_complete_request_parses)
{
	struct storm_params p;
	char err[512] = "";
	cr_assert_eq(parse("{\"target\":\"msi:1:0x40\",\"rate\":\"2.5k/s\",\"count\":100,"
			   "\"pattern\":\"burst:4\",\"seed\":7}", &p, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(p.target.kind, CTL_TARGET_MSI);
	cr_assert_eq(p.target.vector, 0x40);
	cr_assert_float_eq(p.rate, 2500.0, 1e-9);
	cr_assert_eq(p.count, 100);
	cr_assert_eq(p.pattern.burst, 4);
	cr_assert_eq(p.seed, 7);
	cr_assert_eq(parse("{\"target\":\"irq:4\",\"rate\":\"max\",\"duration\":0.5}", &p, err,
			   sizeof(err)), 0, "%s", err);
	cr_assert_eq(p.duration_ns, 500000000ull);
	cr_assert_eq(p.seed, 1, "default seed");
}

Test(storm_args, a_missing_target_is_named)
{
	refused("{\"rate\":1000,\"count\":10}", "target");
}

/* A duration under 1 ns used to round to 0 and be reported as a missing target. */
Test(storm_args, a_json_duration_under_one_nanosecond_is_refused_as_such)
{
	refused("{\"target\":\"irq:4\",\"rate\":1000,\"duration\":1e-10}", "duration");
	refused("{\"target\":\"irq:4\",\"rate\":1000,\"duration\":1e-10}", "1 ns");
}

Test(storm_args, a_json_duration_is_rounded_to_the_nearest_nanosecond)
{
	struct storm_params p;
	char err[512] = "";
	cr_assert_eq(parse("{\"target\":\"irq:4\",\"rate\":1000,\"duration\":0.000001}", &p, err,
			   sizeof(err)), 0, "%s", err);
	cr_assert_eq(p.duration_ns, 1000);
	cr_assert_eq(parse("{\"target\":\"irq:4\",\"rate\":1000,\"duration\":7e-10}", &p, err,
			   sizeof(err)), 0, "%s", err);
	cr_assert_eq(p.duration_ns, 1);
}

Test(storm_args, a_json_rate_below_the_minimum_is_refused)
{
	refused("{\"target\":\"irq:4\",\"rate\":1e-11,\"count\":10}", "minimum");
	refused("{\"target\":\"irq:4\",\"rate\":\"0.00000000001/s\",\"count\":10}", "minimum");
}

Test(storm_args, pace_is_schedule_unless_the_guest_is_asked_for)
{
	struct storm_params p;
	char err[512] = "";
	cr_assert_eq(parse("{\"target\":\"msi:0:64\",\"rate\":10,\"count\":1}", &p, err,
			   sizeof(err)), 0, "%s", err);
	cr_assert_eq(p.pace, STORM_PACE_SCHEDULE);
	cr_assert_eq(parse("{\"target\":\"msi:0:64\",\"rate\":10,\"count\":1,\"pace\":\"guest\"}",
			   &p, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(p.pace, STORM_PACE_GUEST);
	cr_assert_float_eq(p.rate, 10.0, 1e-9, "a rate is kept as the ceiling");
}

Test(storm_args, a_storm_paced_by_the_guest_needs_no_rate)
{
	struct storm_params p;
	char err[512] = "";
	cr_assert_eq(parse("{\"target\":\"gsi:10\",\"count\":5,\"pace\":\"guest\"}", &p, err,
			   sizeof(err)), 0, "%s", err);
	cr_assert_eq(p.pace, STORM_PACE_GUEST);
	cr_assert_eq(p.rate, 0, "no ceiling: max");
	refused("{\"target\":\"gsi:10\",\"count\":5}", "missing \"rate\"");
	refused("{\"target\":\"gsi:10\",\"count\":5,\"pace\":\"schedule\"}", "missing \"rate\"");
}

Test(storm_args, an_unknown_or_mistyped_pace_is_refused)
{
	refused("{\"target\":\"msi:0:64\",\"rate\":10,\"count\":1,\"pace\":\"host\"}",
		"unknown pace 'host'");
	refused("{\"target\":\"msi:0:64\",\"rate\":10,\"count\":1,\"pace\":1}", "pace");
}
