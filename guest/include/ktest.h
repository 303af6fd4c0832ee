/* SPDX-License-Identifier: MIT */
/*
 * Set-up shared by the deferred-work, scheduler, IPI, MSI and storm tests
 * of every port.
 * The boot thread runs the tests with interrupts disabled by default (the
 * other groups expect that); these tests enable them for their duration
 * and hold a tick reference, then put both back.
 */
#ifndef GUEST_KTEST_H
#define GUEST_KTEST_H

#include <stdbool.h>
#include <stdint.h>

struct ktest_env {
	unsigned long irq_flags;
	bool tick;
};

/* Interrupts on, and the tick if need_tick; if the tick is needed and
 * missing, reports `what` as skipped (arch_no_tick_reason) and returns
 * false. */
bool ktest_begin(struct ktest_env *e, bool need_tick, const char *what);
void ktest_end(struct ktest_env *e);

/* Microseconds <-> arch_cycles() with arch_cycles_khz() (1 GHz if unknown). */
uint64_t ktest_us_to_cycles(uint64_t us);
uint64_t ktest_cycles_to_us(uint64_t cycles);

/* Sleep (thread) until cond(ctx) or timeout_ticks pass; checks each tick. */
bool ktest_wait(bool (*cond)(void *ctx), void *ctx, unsigned long timeout_ticks);

struct task;

/* A task exited normally with this status / was killed by this signal.
 * Failures are recorded with tap_expect(). */
bool expect_exit(const struct task *t, int status, int got);
bool expect_killed(const struct task *t, int sig);

/* Spin for `us` microseconds (interrupts as they are: on in a test). */
void ktest_spin_us(uint32_t us);

/* Skip `what` unless at least two CPUs are online ("needs 2 CPUs"). */
bool ktest_need_two_cpus(const char *what);

#endif /* GUEST_KTEST_H */
