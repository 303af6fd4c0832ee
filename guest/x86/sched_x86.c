/* SPDX-License-Identifier: MIT */
/*
 * x86-64 half of threads, the tick and ring-3 threads (sched_x86.h):
 * context switch glue, the LAPIC-timer and PIT tick sources, per-thread
 * trap stacks for user threads.
 *
 * A user thread has two stacks: the kernel stack its kernel function runs
 * on (x86_user_enter() saves the kernel registers there while ring 3 runs)
 * and a trap stack that TSS.rsp0 points to while it is current, so an
 * interrupt that preempts its ring-3 code leaves its trap frame there and
 * the thread can be switched out from the interrupt exit path.
 */
#include <irqvm/abi.h>

#include "arch.h"
#include "gstats.h"
#include "ipi.h"
#include "irq.h"
#include "irqstat.h"
#include "kcpu.h"
#include "kstring.h"
#include "ktimer.h"
#include "lapic.h"
#include "percpu.h"
#include "pic.h"
#include "pit.h"
#include "sched_x86.h"
#include "smp_x86.h"
#include "tap.h"
#include "uprog.h"
#include "usermode.h"
#include "x86.h"

/* struct thread arch words. */
enum { ARCH_RSP, ARCH_TRAP_TOP, ARCH_USER_KERNEL_RSP };

void x86_switch_stacks(uint64_t *save_rsp, uint64_t next_rsp);
void x86_thread_start(void);

/* ---- interrupt state ---- */

bool arch_irqs_enabled(void)
{
	return read_rflags() & X86_RFLAGS_IF;
}

void arch_irq_enable(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}

void arch_irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

void arch_wait_for_interrupt(void)
{
	/* sti's one-instruction shadow covers hlt: an interrupt pending at
	 * sti wakes the hlt instead of slipping in before it. */
	__asm__ __volatile__("sti\n\thlt" ::: "memory");
}

/* ---- threads ---- */

void arch_thread_init(struct thread *t, size_t stack_size)
{
	uint64_t *sp = (uint64_t *)(t->stack + stack_size);

	/* What x86_switch_stacks pops: r15 r14 r13 r12 rbx rbp, then ret. */
	*--sp = (uint64_t)x86_thread_start;
	*--sp = 0;              /* rbp */
	*--sp = 0;              /* rbx */
	*--sp = (uint64_t)t;    /* r12: the thread, for x86_thread_start */
	*--sp = 0;              /* r13 */
	*--sp = 0;              /* r14 */
	*--sp = 0;              /* r15 */
	t->arch[ARCH_RSP] = (uintptr_t)sp;
	/* User threads: the lower half is the trap stack. */
	t->arch[ARCH_TRAP_TOP] = (t->flags & THREAD_F_USER) ? (uintptr_t)(t->stack + stack_size / 2)
							     : 0;
	t->arch[ARCH_USER_KERNEL_RSP] = 0;
}

void arch_switch_to(struct thread *prev, struct thread *next)
{
	struct percpu *pc = this_cpu();
	uint64_t trap_top = next->arch[ARCH_TRAP_TOP];

	if (!trap_top)
		trap_top = (uint64_t)(pc->stacks + X86_TRAP_STACK_TOP);
	prev->arch[ARCH_USER_KERNEL_RSP] = pc->user_kernel_rsp;
	pc->user_kernel_rsp = next->arch[ARCH_USER_KERNEL_RSP];
	pc->tss.rsp[0] = trap_top;
	pc->trap_stack_top = trap_top;
	x86_switch_stacks((uint64_t *)&prev->arch[ARCH_RSP], next->arch[ARCH_RSP]);
}

/* ---- ring-3 threads ---- */

/* User stacks: the only user-writable kernel-image pages are .user_data. */
static uint8_t u_stacks[UTHREAD_SLOTS][4096] __user_data __aligned(4096);
volatile uint64_t u_busy_count[UTHREAD_SLOTS] __user_data;
volatile uint64_t u_busy_stop __user_data;

void __user_text u_prog_busy(uint64_t slot)
{
	long ret;

	while (!u_busy_stop)
		u_busy_count[slot & (UTHREAD_SLOTS - 1)]++;
	__asm__ __volatile__("int $0x80" : "=a"(ret) : "a"((long)SYS_EXIT), "D"(0l) : "memory");
	for (;;)
		;
}

void arch_uthread_enter(void (*entry)(uint64_t), uint64_t arg, unsigned int slot)
{
	/* RSP as if the entry had been called: (rsp + 8) % 16 == 0. */
	x86_user_enter(&this_cpu()->user_kernel_rsp, (uint64_t)entry,
		       (uint64_t)(u_stacks[slot] + sizeof(u_stacks[0])) - 8, arg);
}

/* ---- the tick ---- */

static enum x86_tick_source tick_pref = X86_TICK_LAPIC, tick_src = X86_TICK_NONE;
static bool lapic_handler_installed;
static bool mirror_ring3;

void x86_ring3_mirror(bool on)
{
	mirror_ring3 = on;
}

static void ring3_mirror(void)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < UTHREAD_SLOTS; i++)
		sum += u_busy_count[i];
	gstats_set_ring3_ticks(sum);
}

static void lapic_tick(unsigned int vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	lapic_eoi();
	tick_handle();
	if (mirror_ring3 && !arch_cpu_id())
		ring3_mirror();
}

static void pit_tick(unsigned int irq, void *ctx)
{
	(void)irq;
	(void)ctx;
	tick_handle();
	if (mirror_ring3)
		ring3_mirror();
}

static void lapic_tick_start_local(void *arg)
{
	lapic_timer_periodic(TICK_VECTOR, (uint32_t)(uintptr_t)arg);
}

static void lapic_tick_stop_local(void *arg)
{
	(void)arg;
	lapic_timer_stop();
}

static bool pit_usable(void)
{
	return pit_present() && pic_present();
}

static bool start(enum x86_tick_source s)
{
	if (s == X86_TICK_LAPIC) {
		uint64_t hz = lapic_present() ? lapic_timer_hz() : 0;
		uint32_t count = (uint32_t)(hz / TICK_HZ);

		if (!count)
			return false;
		if (!lapic_handler_installed) {
			if (!irq_register(TICK_VECTOR, lapic_tick, NULL))
				return false; /* someone else owns the vector */
			irqstat_name_vector(TICK_VECTOR, "tick-lapic");
			lapic_handler_installed = true;
		}
		lapic_tick_start_local((void *)(uintptr_t)count);
		/* Each CPU programs its own LAPIC timer. A CPU that does not
		 * answer within a second (a starved vCPU) just has no tick. */
		if (smp_call_function_others(lapic_tick_start_local, (void *)(uintptr_t)count,
					     SMP_CALL_TIMEOUT_US) + 1 < smp_online_count())
			tap_diag("tick: a CPU did not start its LAPIC timer in time");
	} else if (s == X86_TICK_PIT) {
		if (!pit_usable() || !pic_request_irq(PIT_IRQ, pit_tick, NULL, 0))
			return false;
		irqstat_name_vector(PIC_VECTOR_BASE + PIT_IRQ, "tick-pit");
		pit_periodic((uint16_t)(PIT_HZ / TICK_HZ));
		pic_unmask(PIT_IRQ);
	} else {
		return false;
	}
	tick_src = s;
	return true;
}

static void stop(void)
{
	if (tick_src == X86_TICK_LAPIC) {
		lapic_timer_stop();
		if (smp_call_function_others(lapic_tick_stop_local, NULL, SMP_CALL_TIMEOUT_US) + 1 <
		    smp_online_count())
			tap_diag("tick: a CPU did not stop its LAPIC timer in time");
	} else if (tick_src == X86_TICK_PIT) {
		pic_mask(PIT_IRQ);
		pit_stop();
		pic_free_irq(PIT_IRQ);
	}
	tick_src = X86_TICK_NONE;
}

bool arch_tick_start(void)
{
	if (start(tick_pref))
		return true;
	/* The preferred one is missing here: the other will do. */
	return start(tick_pref == X86_TICK_LAPIC ? X86_TICK_PIT : X86_TICK_LAPIC);
}

void arch_tick_stop(void)
{
	stop();
}

const char arch_no_tick_reason[] = "no tick source (neither LAPIC timer nor PIT + PIC)";

const char *x86_tick_source_name(enum x86_tick_source s)
{
	switch (s) {
	case X86_TICK_LAPIC:
		return "LAPIC timer";
	case X86_TICK_PIT:
		return "PIT via 8259 PIC";
	default:
		return "none";
	}
}

const char *arch_tick_source(void)
{
	return x86_tick_source_name(tick_src);
}

enum x86_tick_source x86_tick_source(void)
{
	return tick_src;
}

bool x86_tick_set_source(enum x86_tick_source s)
{
	enum x86_tick_source old = tick_src;

	if (s == X86_TICK_LAPIC && !(lapic_present() && lapic_timer_hz()))
		return false;
	if (s == X86_TICK_PIT && !pit_usable())
		return false;
	tick_pref = s;
	if (old == X86_TICK_NONE || old == s)
		return true;
	stop();
	if (start(s))
		return true;
	start(old);
	return false;
}
