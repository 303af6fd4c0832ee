/* SPDX-License-Identifier: MIT */
/*
 * The tick and kernel timers.
 *
 * One global tick count (jiffies) advanced by the boot CPU's tick; other
 * CPUs may have ticks of their own, which only drive their scheduler. Timers
 * live on one sorted list and run from the TIMER softirq on the boot CPU
 * with interrupts enabled; their callbacks must not sleep.
 *
 * The tick source is the port's (x86: LAPIC timer or the PIT through the
 * PIC; RISC-V: the SBI timer). It runs while someone holds a reference:
 * tests that sleep take one, so tests that want a quiet machine get one.
 */
#ifndef GUEST_KTIMER_H
#define GUEST_KTIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TICK_HZ 100u

struct ktimer {
	struct ktimer *next;
	uint64_t expires; /* jiffies */
	void (*fn)(struct ktimer *t);
	void *data;
	volatile bool pending;
};

void ktimer_init(struct ktimer *t, void (*fn)(struct ktimer *), void *data);
/* (Re)arm t to run at jiffies >= expires. */
void ktimer_add(struct ktimer *t, uint64_t expires);
/* Disarm; waits if the callback is running on another CPU. Returns true
 * if the timer was pending. */
bool ktimer_del(struct ktimer *t);

uint64_t jiffies_now(void);

/* Tick references: the first get starts the port's tick, the last put
 * stops it. Returns false if the port has no tick source. */
bool tick_get(void);
void tick_put(void);
bool tick_running(void);

/* Called by the port's tick interrupt handler on each CPU that ticks. */
void tick_handle(void);

/* Ticks seen by a CPU (its own tick source). */
unsigned long tick_count(unsigned int cpu);

void timers_init(void);

/* Cycles (arch_cycles) per tick period, or 0 if the cycle rate is unknown. */
uint64_t cycles_per_tick(void);

/* Port hooks: start / stop a periodic tick of TICK_HZ on every online CPU
 * the port can give one; report what was used. */
bool arch_tick_start(void);
void arch_tick_stop(void);
const char *arch_tick_source(void);

#endif /* GUEST_KTIMER_H */
