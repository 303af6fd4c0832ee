/* SPDX-License-Identifier: MIT */
/*
 * Fatal errors: prints a TAP "Bail out!" line, the register dump from the
 * architecture hook, and leaves the VM with GUEST_EXIT_FAIL.
 */
#ifndef GUEST_PANIC_H
#define GUEST_PANIC_H

#include "compiler.h"

struct trap_frame;

/* Exit statuses written to the VMM's exit device. Only 0 and 1: irqvm
 * passes the value through as its own exit status, and its statuses 2, 4,
 * 6, 8 mean VMM-side problems (docs/exit-codes.md). A panic is told apart
 * from failed checks by the "Bail out!" line and the missing plan. */
#define GUEST_EXIT_PASS 0 /* every check passed (or was skipped) */
#define GUEST_EXIT_FAIL 1 /* a "not ok", or a panic */

__noreturn void panic(const char *fmt, ...) __printf(1, 2);
__noreturn void panic_regs(const struct trap_frame *frame, const char *fmt, ...)
	__printf(2, 3);

#define BUG_ON(cond)                                                              \
	do {                                                                      \
		if (cond)                                                         \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__);  \
	} while (0)

#endif /* GUEST_PANIC_H */
