/* SPDX-License-Identifier: MIT */
/*
 * Checks that fail on request, so the test suite can see a failure reach
 * irqvm's exit status through each way out (the exit device, SBI SRST)
 * and a panic's report. They act only with "selftest.fail" or
 * "selftest.panic" on the command line and report nothing otherwise.
 */
#include "sections.h"
#include "tap.h"
#include "test.h"

TEST_CASE_ARMED(selftest, forced_failure, 990, "selftest.fail")
{
	tap_reason("requested with selftest.fail on the command line");
	tap_ok(false, "forced failure");
}

TEST_CASE_ARMED(selftest, forced_panic, 991, "selftest.panic")
{
	/* A load from the unmapped guard page with no exception-table entry:
	 * the kernel must bail out with a register dump. */
	(void)*(volatile uint64_t *)(uintptr_t)guard_page;
	tap_ok(false, "an unexpected page fault in S-mode did not panic");
}
