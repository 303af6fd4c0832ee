/* SPDX-License-Identifier: MIT */
/*
 * TAP version 13 producer.
 *
 *   TAP version 13
 *   # diagnostics ...
 *   ok 1 - name
 *   not ok 2 - name # reason
 *   ok 3 - name # SKIP reason
 *   not ok 4 - name # TODO reason
 *   1..4
 *
 * The plan comes last (a trailing plan is valid TAP) because the number of
 * checks depends on the command line and on what the host can do.
 */
#ifndef GUEST_TAP_H
#define GUEST_TAP_H

#include <stdbool.h>

#include "compiler.h"

/* Prints "TAP version 13". */
void tap_begin(void);

/* Report one check; returns cond. A reason recorded with tap_expect() or
 * tap_reason() since the last check is appended to a failing line. */
bool tap_ok(bool cond, const char *fmt, ...) __printf(2, 3);

/* Report a check that could not run here, with the reason. Counts as
 * passed for the exit status, never as evidence that the path works. */
void tap_skip(const char *reason, const char *fmt, ...) __printf(2, 3);

/* Report a check that failed in exactly a known, documented way of the
 * host (TAP 13 "TODO": expected to fail, not a failure). Counts neither as
 * passed nor as failed. Only for deviations listed in docs/testing.md, and
 * only when the check saw exactly that deviation: anything else is a plain
 * tap_ok(false, ...), and a host that behaves correctly passes with ok. */
void tap_todo(const char *reason, const char *fmt, ...) __printf(2, 3);

/* "# ..." diagnostic line; suppressed in quiet mode. */
void tap_diag(const char *fmt, ...) __printf(1, 2);

/* Diagnostic printed even in quiet mode (failures, summary). */
void tap_note(const char *fmt, ...) __printf(1, 2);

/* Record why the next tap_ok() fails (the first reason wins). */
void tap_reason(const char *fmt, ...) __printf(1, 2);

/* if (!cond) tap_reason(...); return cond. Lets a test accumulate
 * conditions: ok &= tap_expect(x == y, "x %d != %d", x, y); */
bool tap_expect(bool cond, const char *fmt, ...) __printf(2, 3);

void tap_set_quiet(bool quiet);
bool tap_quiet(void);

/* Counters so far. */
unsigned int tap_count(void);
unsigned int tap_passed(void);
unsigned int tap_failed(void);
unsigned int tap_skipped(void);
unsigned int tap_todos(void);

/* Prints the plan "1..N" for the checks reported so far. */
void tap_plan(void);
/* Prints the plan "1..n" before the checks (once); tap_finish() then fails
 * the run if the count differs instead of printing the plan at the end. */
void tap_plan_ahead(unsigned int n);
/* The plan cannot hold (a test reported more results than it declared):
 * says why and fails the run. */
void tap_plan_broken(const char *fmt, ...) __printf(1, 2);

/* Summary diagnostic plus the plan; returns the exit status for the VMM:
 * 0 when every check passed, was skipped or was a TODO, 1 otherwise. */
int tap_finish(void);

#endif /* GUEST_TAP_H */
