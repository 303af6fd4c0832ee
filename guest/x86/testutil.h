/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the x86 tests: checking the exception a test provoked.
 */
#ifndef X86_TESTUTIL_H
#define X86_TESTUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "ktest.h" /* expect_exit(), expect_killed() */
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

/* Exactly one exception since `seq`, with this vector and saved RIP.
 * Failures are recorded with tap_expect(). */
bool expect_trap(unsigned long seq, unsigned int vector, uint64_t rip);

/* ...and with this error code. */
bool expect_error_code(uint64_t want);

/* One line describing the last exception (vector, RIP, error code, CR2). */
void diag_last_trap(void);

/* "#PF error 0x5 (P=1 W=0 U=1 RSVD=0 I=0)" */
void pf_error_string(uint64_t err, char *buf, unsigned long size);

#endif /* X86_TESTUTIL_H */
