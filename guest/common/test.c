/* SPDX-License-Identifier: MIT */
/*
 * Test registry: collects the TEST_CASE descriptors from the ".testcases"
 * section, orders them and runs the ones the command line selected.
 */
#include "cmdline.h"
#include "kstring.h"
#include "tap.h"
#include "test.h"

extern const struct test_case __testcases_start[], __testcases_end[];

#define MAX_TESTS 256u
#define SELECT_MAX 256u

static char selection[SELECT_MAX]; /* "" = everything */

void tests_select(const char *spec)
{
	strlcpy(selection, spec ? spec : "", sizeof(selection));
}

/* Does the comma-separated selection name this test (by group, name or
 * group.name)? */
static bool word_matches(const char *word, size_t len, const struct test_case *tc)
{
	size_t glen = strlen(tc->group);

	if (len == glen && !strncmp(word, tc->group, len))
		return true;
	if (len == strlen(tc->name) && !strncmp(word, tc->name, len))
		return true;
	return len > glen && word[glen] == '.' && !strncmp(word, tc->group, glen) &&
	       len - glen - 1 == strlen(tc->name) &&
	       !strncmp(word + glen + 1, tc->name, len - glen - 1);
}

static bool selected(const struct test_case *tc)
{
	const char *p = selection;

	if (tc->armed_by && !cmdline_flag(tc->armed_by))
		return false;
	if (!*p)
		return true;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len && word_matches(p, len, tc))
			return true;
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}

unsigned int tests_run(void)
{
	static const struct test_case *order[MAX_TESTS];
	unsigned int n = 0, ran = 0;

	/* Insertion sort by .order; equal keys keep link order. */
	for (const struct test_case *tc = __testcases_start; tc < __testcases_end; tc++) {
		unsigned int i = n;

		if (n == MAX_TESTS) {
			tap_note("test registry full: %s.%s and later not run", tc->group,
				 tc->name);
			break;
		}
		while (i > 0 && order[i - 1]->order > tc->order) {
			order[i] = order[i - 1];
			i--;
		}
		order[i] = tc;
		n++;
	}

	unsigned int planned = 0;
	for (unsigned int i = 0; i < n; i++)
		if (selected(order[i]))
			planned += order[i]->checks;
	tap_plan_ahead(planned);
	for (unsigned int i = 0; i < n; i++) {
		const struct test_case *tc = order[i];
		unsigned int before, got;

		if (!selected(tc))
			continue;
		before = tap_count();
		tc->run();
		ran++;
		got = tap_count() - before;
		/* Keep the plan true: what a test did not report fails. */
		for (unsigned int k = got; k < tc->checks; k++)
			tap_ok(false, "%s.%s: reported %u of its %u results (it ended early)",
			       tc->group, tc->name, got, tc->checks);
		if (got > tc->checks)
			tap_plan_broken("%s.%s reported %u results, %u declared", tc->group,
					tc->name, got, tc->checks);
	}
	if (selection[0] && !ran)
		tap_note("tests=%s selected no test", selection);
	return ran;
}
