/* SPDX-License-Identifier: MIT */
/*
 * Round-robin preemption of ring-3 tasks (the common check,
 * common/tests_sched.c) once with each x86 tick source: the LAPIC timer
 * and the PIT through the 8259 PIC. The other sched checks are common.
 */
#include "sched_x86.h"
#include "tap.h"
#include "test.h"
#include "tests_sched.h"

static bool tick_is(void *ctx)
{
	return x86_tick_source() == *(const enum x86_tick_source *)ctx;
}

static void preempt_check(enum x86_tick_source src, const char *what)
{
	if (!x86_tick_set_source(src)) {
		tap_skip("this tick source is not available here", "%s", what);
		return;
	}
	sched_check_preempt(what, tick_is, &src);
	x86_tick_set_source(X86_TICK_LAPIC);
}

TEST_CASE(sched, preempt_ring3_lapic_timer, 913)
{
	preempt_check(X86_TICK_LAPIC, "3 ring-3 tasks that never yield all progress under "
				      "round-robin preemption by the LAPIC timer tick");
}

TEST_CASE(sched, preempt_ring3_pit, 914)
{
	preempt_check(X86_TICK_PIT, "3 ring-3 tasks that never yield all progress under "
				    "round-robin preemption by the PIT tick through the 8259 PIC");
}
