/* SPDX-License-Identifier: MIT */
/*
 * User-mode tasks that run as preemptible threads (common/uthread.c),
 * each on its own user stack slot, and sets of busy tasks that never
 * yield, for the scheduler and storm tests and serve mode.
 */
#ifndef GUEST_UTHREAD_H
#define GUEST_UTHREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "sched.h"
#include "task.h"

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

/* Start entry(arg) in user mode on `cpu` as a preemptible thread, on user
 * stack `slot`. */
bool uthread_start(struct uthread *u, const char *name, unsigned int cpu, unsigned int slot,
		   void (*entry)(uint64_t), uint64_t arg);

/* The port's user-mode program: slot i increments u_busy_count[i] until
 * u_busy_stop is set, then exits with status 0 (both in user data). */
extern volatile uint64_t u_busy_count[UTHREAD_SLOTS];
extern volatile uint64_t u_busy_stop;
void u_prog_busy(uint64_t slot);

/* Busy user tasks that never yield. */
struct busy_set {
	unsigned int n;
	struct uthread u[UTHREAD_SLOTS];
};

/* Start n busy tasks on `cpu` (slots 0..n-1). */
bool busy_start(struct busy_set *b, unsigned int n, unsigned int cpu);
void busy_read(const struct busy_set *b, uint64_t *counts);
/* Tell them to exit and join them; false if one did not exit in time. */
bool busy_stop(struct busy_set *b, unsigned long timeout_ticks);

#endif /* GUEST_UTHREAD_H */
