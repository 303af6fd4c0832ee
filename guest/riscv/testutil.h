/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the RISC-V tests: checking the exception a test
 * provoked, spinning with interrupts on.
 */
#ifndef RV_TESTUTIL_H
#define RV_TESTUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "ktest.h" /* ktest_begin(), expect_exit() and the other common helpers */
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

/* Spin with interrupts enabled until *flag != 0 or timeout_us pass. */
bool wait_flag_us(const volatile unsigned long *flag, uint32_t timeout_us);

/* Spin for `us` microseconds with interrupts enabled. */
void spin_us(uint32_t us);

#endif /* RV_TESTUTIL_H */
