/* SPDX-License-Identifier: MIT */
/*
 * Small pieces shared by the interrupt-controller checks (PIC, IOAPIC,
 * LAPIC, PIT), so that each test reads as set-up, checks, teardown.
 */
#ifndef X86_IRQTEST_H
#define X86_IRQTEST_H

#include <stdbool.h>

#include "tap.h"

static inline void irqtest_cli(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

/*
 * A test's set-up (handlers, chip state) either worked or recorded why
 * not with tap_expect(); in the latter case the test counts as failed,
 * under its own name, and must not go on.
 */
static inline bool irqtest_begun(bool begun, const char *what)
{
	if (!begun)
		tap_ok(false, "%s", what);
	return begun;
}

#endif /* X86_IRQTEST_H */
