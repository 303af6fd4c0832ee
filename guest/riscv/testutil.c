/* SPDX-License-Identifier: MIT */
/*
 * Test helpers (testutil.h).
 */
#include "arch.h"
#include "ipi.h"
#include "kprintf.h"
#include "ktimer.h"
#include "tap.h"
#include "testutil.h"
#include "wait.h"

static const char *code_name(unsigned long code)
{
	return code < RV_NR_EXCEPTIONS ? rv_exceptions[code].mnemonic : "?";
}

bool expect_trap(unsigned long seq, unsigned long code, uint64_t sepc)
{
	const struct trap_record *r = last_trap();
	unsigned long taken = r->seq - seq;

	if (!tap_expect(taken == 1, "%lu exceptions taken, want 1", taken))
		return false;
	if (!tap_expect(!trap_is_interrupt(&r->frame) && trap_code(&r->frame) == code,
			"got %s (scause %#lx), want %s", code_name(trap_code(&r->frame)),
			(unsigned long)r->frame.scause, code_name(code)))
		return false;
	return tap_expect(r->frame.sepc == sepc, "sepc %#lx, want %#lx",
			  (unsigned long)r->frame.sepc, (unsigned long)sepc);
}

bool expect_stval(uint64_t want)
{
	uint64_t got = last_trap()->frame.stval;

	return tap_expect(got == want, "stval %#lx, want %#lx", (unsigned long)got,
			  (unsigned long)want);
}

void diag_last_trap(void)
{
	const struct trap_record *r = last_trap();
	const struct trap_frame *f = &r->frame;
	char what[96];

	trap_describe(f, what, sizeof(what));
	tap_diag("  %s at %#lx from %s-mode, stval %#lx", what, (unsigned long)f->sepc,
		 trap_from_user(f) ? "U" : "S", (unsigned long)f->stval);
}

bool wait_flag_us(const volatile unsigned long *flag, uint32_t timeout_us)
{
	uint64_t start = arch_cycles(), limit = rv_us_to_cycles(timeout_us);
	unsigned long flags = arch_irq_save();
	bool ok;

	/* Spin, not wfi: the flag may be set by another hart, which sends no
	 * interrupt. Interrupts are on so this hart's own can set it. */
	arch_irq_enable();
	while (!(ok = READ_ONCE(*flag) != 0) && arch_cycles() - start < limit)
		arch_cpu_relax();
	arch_irq_disable();
	arch_irq_restore(flags);
	return ok;
}

void spin_us(uint32_t us)
{
	static const unsigned long never;

	wait_flag_us(&never, us);
}
