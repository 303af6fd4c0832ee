/* SPDX-License-Identifier: MIT */
/*
 * Work queues: work items run in a kernel thread (process context), so a
 * work function may sleep, wait for events and take sleeping locks, which
 * hard-IRQ handlers, softirqs and tasklets may not. queue_work() may be
 * called from any context; a work item queued again before it started runs
 * once. A work item may be re-queued while it runs (it then runs again).
 */
#ifndef GUEST_WORKQUEUE_H
#define GUEST_WORKQUEUE_H

#include <stdbool.h>

#include "spinlock.h"
#include "wait.h"

struct work;
typedef void (*work_fn)(struct work *w);

struct work {
	struct work *next;
	work_fn fn;
	unsigned long pending; /* on a queue, not yet started */
	unsigned long runs;
};

#define WORK_INIT(f) { NULL, (f), 0, 0 }

struct workqueue {
	const char *name;
	spinlock_t lock;
	struct work *head, *tail;
	struct work *running;
	struct wait_queue more;  /* worker sleeps here */
	struct wait_queue idle;  /* flushers sleep here */
	struct thread *worker;
	unsigned long done;
};

void work_init(struct work *w, work_fn fn);

/* Create a queue with one worker thread on `cpu`. */
struct workqueue *workqueue_create(const char *name, unsigned int cpu);

/* Returns false if the item was already pending (it will run once). */
bool queue_work(struct workqueue *wq, struct work *w);

/* Sleep until the queue is empty and no item runs, at most `ticks`
 * (0 = no limit). Returns WAIT_OK / WAIT_TIMEOUT / WAIT_ATOMIC. */
int flush_workqueue(struct workqueue *wq, unsigned long ticks);

/* The shared queue on the boot CPU ("events"). */
extern struct workqueue *system_wq;

void workqueues_init(void);

#endif /* GUEST_WORKQUEUE_H */
