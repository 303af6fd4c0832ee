/* SPDX-License-Identifier: MIT */
/*
 * Test set-up helpers (ktest.h).
 */
#include "arch.h"
#include "ktest.h"
#include "ktimer.h"
#include "tap.h"
#include "wait.h"

bool ktest_begin(struct ktest_env *e, bool need_tick, const char *what)
{
	e->irq_flags = arch_irq_save();
	arch_irq_enable();
	e->tick = false;
	if (!need_tick)
		return true;
	e->tick = tick_get();
	if (e->tick)
		return true;
	arch_irq_disable();
	arch_irq_restore(e->irq_flags);
	tap_skip("no tick source (neither LAPIC timer nor PIT + PIC)", "%s", what);
	return false;
}

void ktest_end(struct ktest_env *e)
{
	if (e->tick)
		tick_put();
	e->tick = false;
	arch_irq_disable();
	arch_irq_restore(e->irq_flags);
}

uint64_t ktest_us_to_cycles(uint64_t us)
{
	uint64_t khz = arch_cycles_khz();

	return (khz ? khz : 1000000) * us / 1000;
}

uint64_t ktest_cycles_to_us(uint64_t cycles)
{
	uint64_t khz = arch_cycles_khz();

	return cycles * 1000 / (khz ? khz : 1000000);
}

bool ktest_wait(bool (*cond)(void *ctx), void *ctx, unsigned long timeout_ticks)
{
	for (unsigned long i = 0; i <= timeout_ticks; i++) {
		if (cond(ctx))
			return true;
		if (i < timeout_ticks && sleep_ticks(1) != WAIT_OK)
			break;
	}
	return cond(ctx);
}
