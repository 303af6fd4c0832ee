/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the RISC-V tests: checking the exception a test
 * provoked, the fate of user tasks, and the set-up of tests that need
 * interrupts and the tick.
 */
#ifndef RV_TESTUTIL_H
#define RV_TESTUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "percpu.h"
#include "task.h"
#include "trap.h"

static inline unsigned long trap_seq(void)
{
	return READ_ONCE(this_cpu()->last_trap.seq);
}

static inline const struct trap_record *last_trap(void)
{
	return &this_cpu()->last_trap;
}

/* Exactly one exception since `seq`, with this scause code and sepc.
 * Failures are recorded with tap_expect(). */
bool expect_trap(unsigned long seq, unsigned long code, uint64_t sepc);

/* ...and with this stval. */
bool expect_stval(uint64_t want);

/* One line describing the last exception (cause, sepc, mode, stval). */
void diag_last_trap(void);

/* A task exited normally with this status / was killed by this signal. */
bool expect_exit(const struct task *t, int status, int got);
bool expect_killed(const struct task *t, int sig);

/* Interrupts on (and the tick if need_tick) for a test; if the tick is
 * needed and cannot start, reports `what` as skipped and returns false. */
struct ktest_env {
	unsigned long irq_flags;
	bool tick;
};
bool ktest_begin(struct ktest_env *e, bool need_tick, const char *what);
void ktest_end(struct ktest_env *e);

/* Spin with interrupts enabled until *flag != 0 or timeout_us pass. */
bool wait_flag_us(const volatile unsigned long *flag, uint32_t timeout_us);

/* Sleep (thread) until cond(ctx) or timeout_ticks pass; checks each tick. */
bool ktest_wait(bool (*cond)(void *ctx), void *ctx, unsigned long timeout_ticks);

/* Spin for `us` microseconds with interrupts enabled. */
void spin_us(uint32_t us);

#endif /* RV_TESTUTIL_H */
