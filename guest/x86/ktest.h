/* SPDX-License-Identifier: MIT */
/*
 * Set-up shared by the deferred-work, scheduler, IPI, MSI and storm tests.
 * The boot thread runs the tests with interrupts disabled by default (the
 * other groups expect that); these tests enable them for their duration
 * and hold a tick reference, then put both back.
 */
#ifndef X86_KTEST_H
#define X86_KTEST_H

#include <stdbool.h>
#include <stdint.h>

struct ktest_env {
	unsigned long irq_flags;
	bool tick;
};

/* Interrupts on, and the tick if need_tick; if the tick is needed and
 * missing, reports `what` as skipped and returns false. */
bool ktest_begin(struct ktest_env *e, bool need_tick, const char *what);
void ktest_end(struct ktest_env *e);

/* Microseconds <-> cycles with the boot-info TSC rate (1 GHz if unknown). */
uint64_t ktest_us_to_cycles(uint64_t us);
uint64_t ktest_cycles_to_us(uint64_t cycles);

/* Sleep (thread) until cond(ctx) or timeout_ticks pass; checks each tick. */
bool ktest_wait(bool (*cond)(void *ctx), void *ctx, unsigned long timeout_ticks);

#endif /* X86_KTEST_H */
