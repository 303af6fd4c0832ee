/* SPDX-License-Identifier: MIT */
/*
 * x86 side of threads and the tick: which timer drives the tick, and
 * ring-3 tasks that run as preemptible threads.
 */
#ifndef X86_SCHED_X86_H
#define X86_SCHED_X86_H

#include <stdbool.h>
#include <stdint.h>

#include "sched.h"
#include "task.h"

enum x86_tick_source {
	X86_TICK_NONE,
	X86_TICK_LAPIC, /* LAPIC timer, periodic, on every online CPU */
	X86_TICK_PIT,   /* PIT channel 0 through the 8259 PIC, boot CPU only */
};

/* Choose the source for the next start; if the tick runs, switch now.
 * Returns false if that source is not available here. */
bool x86_tick_set_source(enum x86_tick_source s);
enum x86_tick_source x86_tick_source(void);
const char *x86_tick_source_name(enum x86_tick_source s);

/* Ring-3 tasks as threads, each with its own user stack slot. */
#define UTHREAD_SLOTS 8u

struct uthread {
	struct task task;
	void (*entry)(uint64_t arg);
	uint64_t arg;
	unsigned int slot;
	struct thread *thread;
	volatile bool started;
	int status;
};

/* Start entry(arg) in ring 3 on `cpu` as a preemptible thread. */
bool uthread_start(struct uthread *u, const char *name, unsigned int cpu, unsigned int slot,
		   void (*entry)(uint64_t), uint64_t arg);

/* Busy ring-3 tasks that never yield: slot i increments u_busy_count[i]
 * until u_busy_stop is set, then exits with status 0. */
extern volatile uint64_t u_busy_count[UTHREAD_SLOTS];
extern volatile uint64_t u_busy_stop;
void u_prog_busy(uint64_t slot);

struct busy_set {
	unsigned int n;
	struct uthread u[UTHREAD_SLOTS];
};

/* Start n busy tasks on `cpu` (slots 0..n-1). */
bool busy_start(struct busy_set *b, unsigned int n, unsigned int cpu);
void busy_read(const struct busy_set *b, uint64_t *counts);
/* Tell them to exit and join them; false if one did not exit in time. */
bool busy_stop(struct busy_set *b, unsigned long timeout_ticks);

/* Mirror the busy counters into the statistics page at every tick. */
void x86_ring3_mirror(bool on);

#endif /* X86_SCHED_X86_H */
