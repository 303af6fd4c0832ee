/* SPDX-License-Identifier: MIT */
/*
 * RISC-V side of threads: U-mode tasks that run as preemptible threads.
 */
#ifndef RV_SCHED_RV_H
#define RV_SCHED_RV_H

#include <stdbool.h>
#include <stdint.h>

#include "sched.h"
#include "task.h"
#include "uprog.h"

struct uthread {
	struct task task;
	void (*entry)(uint64_t arg);
	uint64_t arg;
	unsigned int slot;
	struct thread *thread;
	volatile bool started;
	int status;
};

/* Start entry(arg) in U-mode on `cpu` as a preemptible thread, on user
 * stack `slot`. */
bool uthread_start(struct uthread *u, const char *name, unsigned int cpu, unsigned int slot,
		   void (*entry)(uint64_t), uint64_t arg);

/* Busy U-mode tasks that never yield: slot i increments u_busy_count[i]
 * until u_busy_stop is set, then exits with status 0. */
struct busy_set {
	unsigned int n;
	struct uthread u[UTHREAD_SLOTS];
};

bool busy_start(struct busy_set *b, unsigned int n, unsigned int cpu);
void busy_read(const struct busy_set *b, uint64_t *counts);
/* Tell them to exit and join them; false if one did not exit in time. */
bool busy_stop(struct busy_set *b, unsigned long timeout_ticks);

#endif /* RV_SCHED_RV_H */
