/* SPDX-License-Identifier: MIT */
/*
 * Test set-up helpers (ktest.h).
 */
#include "arch.h"
#include "kprintf.h"
#include "ktest.h"
#include "ktimer.h"
#include "smp.h"
#include "tap.h"
#include "task.h"
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
	tap_skip(arch_no_tick_reason, "%s", what);
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

bool ktest_need_two_cpus(const char *what)
{
	char reason[32];

	if (smp_online_count() >= 2)
		return true;
	ksnprintf(reason, sizeof(reason), "needs 2 %ss", arch_cpu_noun);
	tap_skip(reason, "%s", what);
	return false;
}

void ktest_spin_us(uint32_t us)
{
	uint64_t start = arch_cycles(), limit = ktest_us_to_cycles(us);

	while (arch_cycles() - start < limit)
		arch_cpu_relax();
}

bool expect_exit(const struct task *t, int status, int got)
{
	if (!tap_expect(!t->killed_by, "task killed by signal %d", t->killed_by))
		return false;
	return tap_expect(got == status, "exit status %d, want %d", got, status);
}

bool expect_killed(const struct task *t, int sig)
{
	if (!tap_expect(t->killed_by, "task was not killed (exit status %d)", t->exit_status))
		return false;
	return tap_expect(t->killed_by == sig, "killed by signal %d, want %d", t->killed_by, sig);
}
