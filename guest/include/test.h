/* SPDX-License-Identifier: MIT */
/*
 * Test registry. A test is a function that reports one or more TAP checks;
 * TEST_CASE() places its descriptor in the ".testcases" linker section (the
 * linker script brackets it with __testcases_start/__testcases_end), so
 * adding a test needs no central list.
 *
 *   TEST_CASE(exceptions, divide_error, 300)
 *   {
 *           tap_ok(..., "#DE ...");
 *   }
 *
 * A test reports exactly one result, or exactly n with TEST_CASE_CHECKS(grp,
 * nm, order, n), on every path: the TAP plan is their sum, printed before the
 * first test, so a test that ends early or vanishes shows (the runner adds a
 * failing result for each one a test did not report).
 *
 * Tests run in ascending order of the third argument. The kernel command
 * line option "tests=a,b,..." selects tests by group ("exceptions"), name
 * ("divide_error") or both ("exceptions.divide_error").
 */
#ifndef GUEST_TEST_H
#define GUEST_TEST_H

#include <stdbool.h>

#include "compiler.h"

struct test_case {
	const char *group;
	const char *name;
	void (*run)(void);
	unsigned long order;
	unsigned int checks; /* TAP results it reports, pass or fail: the plan */
	const char *armed_by; /* NULL, or a command-line flag without which it is not selected */
};

#define TEST_CASE(grp, nm, ord) TEST_CASE_FULL(grp, nm, ord, 1, NULL)

/* A test that reports n results (each of them on every path). */
#define TEST_CASE_CHECKS(grp, nm, ord, n) TEST_CASE_FULL(grp, nm, ord, n, NULL)

/* A test of the kernel's own failure paths (a forced failure, a panic):
 * selected only when the command line also has the word `flag`. */
#define TEST_CASE_ARMED(grp, nm, ord, flag) TEST_CASE_FULL(grp, nm, ord, 1, flag)

#define TEST_CASE_FULL(grp, nm, ord, n, flag)                                     \
	static void test_##grp##__##nm(void);                                     \
	static const struct test_case test_case_##grp##__##nm __used              \
		__section(".testcases") __aligned(8) = {                          \
			.group = #grp,                                            \
			.name = #nm,                                              \
			.run = test_##grp##__##nm,                                \
			.order = (ord),                                           \
			.checks = (n),                                            \
			.armed_by = (flag),                                       \
	};                                                                        \
	static void test_##grp##__##nm(void)

/* Restrict the run to a comma-separated list; NULL or "" selects all. */
void tests_select(const char *spec);

/* Run the selected tests in order; returns how many ran. */
unsigned int tests_run(void);

#endif /* GUEST_TEST_H */
