/* SPDX-License-Identifier: MIT */
/*
 * panic(): report as a TAP bail-out, dump registers, leave the VM. A second
 * panic on the same CPU (e.g. inside the register dump) exits at once; a
 * panic on another CPU while one is in progress just stops that CPU.
 */
#include <stdarg.h>

#include "arch.h"
#include "console.h"
#include "kprintf.h"
#include "panic.h"

static unsigned int panic_owner; /* cpu + 1, 0 = nobody */

static __noreturn void vpanic(const struct trap_frame *frame, const char *fmt, va_list ap)
{
	unsigned int me = arch_cpu_id() + 1, expected = 0;
	char msg[200];

	arch_irq_save();
	if (!__atomic_compare_exchange_n(&panic_owner, &expected, me, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (expected == me)
			arch_exit(GUEST_EXIT_FAIL);
		arch_halt();
	}
	console_break_lock();
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	kprintf("Bail out! panic on cpu %u: %s\n", me - 1, msg);
	arch_dump_regs(frame);
	arch_exit(GUEST_EXIT_FAIL);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(NULL, fmt, ap);
}

void panic_regs(const struct trap_frame *frame, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(frame, fmt, ap);
}
