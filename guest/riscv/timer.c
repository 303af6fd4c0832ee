/* SPDX-License-Identifier: MIT */
/*
 * The supervisor timer and the kernel tick (timer.h, ktimer.h).
 */
#include "arch.h"
#include "csr.h"
#include "ipi.h"
#include "irq.h"
#include "irqstat.h"
#include "ktimer.h"
#include "machine.h"
#include "percpu.h"
#include "sbi.h"
#include "smp.h"
#include "timer.h"
#include "trap.h"
#include "vectors.h"

#define TICK_CALL_TIMEOUT_US SMP_CALL_TIMEOUT_US

static enum rv_timer_mode mode = RV_TIMER_SBI;
static bool ticking;

static void stimecmp_write(uint64_t v)
{
	__asm__ __volatile__("csrw %0, %1" : : "i"(CSR_STIMECMP), "r"(v) : "memory");
}

uint64_t rv_stimecmp_read(void)
{
	uint64_t v;

	__asm__ __volatile__("csrr %0, %1" : "=r"(v) : "i"(CSR_STIMECMP) : "memory");
	return v;
}

/* Sstc is usable if stimecmp holds what we write. Where the hypervisor
 * has not enabled it for the guest (henvcfg.STCE = 0) the access raises a
 * virtual-instruction exception, which KVM may pass to the VMM as a CSR
 * exit (irqvm reads such CSRs as 0) or turn into an illegal instruction:
 * the exception table catches the latter, the read-back the former. */
static bool probe_sstc(void)
{
	uint64_t want = rdtime() + 3600ull * rv_machine.timebase_hz, got = 0;
	unsigned long seq = READ_ONCE(this_cpu()->last_trap.seq);

	__asm__ __volatile__("1: csrw %2, %1\n"
			     "2: csrr %0, %2\n"
			     "3:\n" EXTABLE(1b, 3b) EXTABLE(2b, 3b)
			     : "+r"(got)
			     : "r"(want), "i"(CSR_STIMECMP)
			     : "memory");
	if (READ_ONCE(this_cpu()->last_trap.seq) != seq || got != want)
		return false;
	stimecmp_write(UINT64_MAX);
	return true;
}

void rv_timer_program_mode(enum rv_timer_mode m, uint64_t deadline)
{
	if (m == RV_TIMER_SSTC)
		stimecmp_write(deadline);
	else
		sbi_set_timer(deadline);
}

void rv_timer_program(uint64_t deadline)
{
	rv_timer_program_mode(READ_ONCE(mode), deadline);
}

void rv_timer_cancel(void)
{
	rv_timer_program(UINT64_MAX);
}

enum rv_timer_mode rv_timer_mode(void)
{
	return READ_ONCE(mode);
}

const char *rv_timer_mode_name(enum rv_timer_mode m)
{
	return m == RV_TIMER_SSTC ? "Sstc stimecmp" : "SBI TIME set_timer";
}

bool rv_timer_set_mode(enum rv_timer_mode m)
{
	if (m == RV_TIMER_SSTC && !rv_machine.sstc_usable)
		return false;
	WRITE_ONCE(mode, m);
	return true;
}

static void timer_handler(unsigned int vector, void *ctx)
{
	struct percpu *pc = this_cpu();
	void (*hook)(void) = READ_ONCE(pc->timer_hook);

	(void)vector;
	(void)ctx;
	pc->timer_irqs++;
	if (hook) {
		hook(); /* a test owns the timer: it reprograms or cancels */
		return;
	}
	if (pc->tick_period) {
		uint64_t now = rdtime();

		pc->next_tick += pc->tick_period;
		if ((int64_t)(pc->next_tick - now) <= 0)
			pc->next_tick = now + pc->tick_period; /* fell behind: no burst */
		rv_timer_program(pc->next_tick);
		tick_handle();
		return;
	}
	rv_timer_cancel(); /* a deadline nobody wants any more */
}

void rv_timer_init(void)
{
	rv_machine.sstc_usable = rv_machine.has_sstc && probe_sstc();
	mode = rv_machine.sstc_usable ? RV_TIMER_SSTC : RV_TIMER_SBI;
	irq_register(RV_VEC_TIMER, timer_handler, NULL);
	irqstat_name_vector(RV_VEC_TIMER, "timer");
	rv_timer_cancel();
}

/* ---- the tick ---- */

static void tick_start_local(void *arg)
{
	struct percpu *pc = this_cpu();
	uint64_t period = (uint64_t)(uintptr_t)arg;

	pc->tick_period = period;
	pc->next_tick = rdtime() + period;
	rv_timer_program(pc->next_tick);
}

static void tick_stop_local(void *arg)
{
	(void)arg;
	this_cpu()->tick_period = 0;
	rv_timer_cancel();
}

bool arch_tick_start(void)
{
	uint64_t period = rv_machine.timebase_hz / TICK_HZ;

	if (!period || (!rv_machine.sbi_time && !rv_machine.sstc_usable))
		return false;
	tick_start_local((void *)(uintptr_t)period);
	smp_call_function_others(tick_start_local, (void *)(uintptr_t)period, TICK_CALL_TIMEOUT_US);
	ticking = true;
	return true;
}

void arch_tick_stop(void)
{
	tick_stop_local(NULL);
	smp_call_function_others(tick_stop_local, NULL, TICK_CALL_TIMEOUT_US);
	ticking = false;
}

const char arch_no_tick_reason[] = "no tick source (neither SBI TIME nor Sstc)";

const char *arch_tick_source(void)
{
	return ticking ? rv_timer_mode_name(mode) : "none";
}
