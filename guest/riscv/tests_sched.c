/* SPDX-License-Identifier: MIT */
/*
 * Round-robin preemption of U-mode tasks (the common check,
 * common/tests_sched.c) once with each way of programming the timer: SBI
 * TIME and Sstc. The other sched checks are common.
 */
#include "machine.h"
#include "tap.h"
#include "test.h"
#include "tests_sched.h"
#include "timer.h"

static void preempt_check(enum rv_timer_mode mode, const char *what)
{
	enum rv_timer_mode old = rv_timer_mode();

	if (!rv_timer_set_mode(mode) || (mode == RV_TIMER_SBI && !rv_machine.sbi_time)) {
		tap_skip(mode == RV_TIMER_SSTC ? "no usable Sstc (stimecmp) on this hart"
					       : "no SBI TIME extension",
			 "%s", what);
		return;
	}
	sched_check_preempt(what, NULL, NULL);
	rv_timer_set_mode(old);
}

TEST_CASE(sched, preempt_user_sbi_time, 913)
{
	preempt_check(RV_TIMER_SBI, "3 U-mode tasks that never yield all progress under "
				    "round-robin preemption by the SBI TIME tick");
}

TEST_CASE(sched, preempt_user_sstc, 914)
{
	preempt_check(RV_TIMER_SSTC, "3 U-mode tasks that never yield all progress under "
				     "round-robin preemption by the Sstc (stimecmp) tick");
}
