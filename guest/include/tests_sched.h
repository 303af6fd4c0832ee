/* SPDX-License-Identifier: MIT */
/*
 * The scheduler's preemption check, shared by the ports
 * (common/tests_sched.c). Each port declares one TEST_CASE per tick
 * source it has, selects that source (skipping when it is missing),
 * runs the check and puts its default source back.
 */
#ifndef GUEST_TESTS_SCHED_H
#define GUEST_TESTS_SCHED_H

#include <stdbool.h>

/* 3 busy user tasks that never yield all progress, fairly, and are each
 * switched in repeatedly over 0.3 s of round robin under the tick. With
 * the tick held, tick_is_chosen(ctx) (if given) says whether the source
 * the port selected is the one that started; if not, the check is
 * skipped. */
void sched_check_preempt(const char *what, bool (*tick_is_chosen)(void *ctx), void *ctx);

#endif /* GUEST_TESTS_SCHED_H */
