/* SPDX-License-Identifier: MIT */
/*
 * Wait queues, completions and sleeping.
 *
 *   wait_event_timeout(&wq, cond, ticks)  sleep until cond is true (0 ticks
 *                                         = no limit); returns WAIT_OK,
 *                                         WAIT_TIMEOUT or WAIT_ATOMIC
 *   wake_up(&wq)                          wake every sleeper (any context)
 *
 * A waker makes the condition true first and then calls wake_up(); a sleeper
 * is on the queue before it checks the condition, so no wake-up is lost.
 * Sleeping from interrupt context is refused (WAIT_ATOMIC, reported once
 * per call site) instead of hanging the CPU.
 */
#ifndef GUEST_WAIT_H
#define GUEST_WAIT_H

#include <stdbool.h>

#include "compiler.h"
#include "ktimer.h"
#include "spinlock.h"

struct thread;

struct waiter {
	struct waiter *next;
	struct thread *thread;
};

struct wait_queue {
	spinlock_t lock;
	struct waiter *head;
	unsigned long wakeups; /* wake_up() calls that found a sleeper */
};

#define WAIT_QUEUE_INIT { SPINLOCK_INIT, NULL, 0 }

enum wait_result {
	WAIT_OK = 0,
	WAIT_TIMEOUT = 1,
	WAIT_ATOMIC = 2, /* called where sleeping is not allowed */
};

void wait_queue_init(struct wait_queue *wq);
void wake_up(struct wait_queue *wq);

/* The parts of wait_event_timeout(); see sched.h for the blocking rules. */
struct wait_ctx {
	struct waiter w;
	struct wait_queue *wq;
	bool timer_armed;
	volatile bool timed_out;
	struct ktimer timer;
};
int wait_begin(struct wait_ctx *c, struct wait_queue *wq, unsigned long timeout_ticks,
	       const char *what);
/* Before checking the condition again: marks the thread blocked. */
void wait_prepare(struct wait_ctx *c);
/* Sleep until woken or timed out; false once the timeout has passed. */
bool wait_sleep(struct wait_ctx *c);
void wait_end(struct wait_ctx *c);

#define wait_event_timeout(wq, cond, ticks)                                       \
	({                                                                        \
		int __wr = WAIT_OK;                                               \
		if (!(cond)) {                                                    \
			struct wait_ctx __wc;                                     \
			__wr = wait_begin(&__wc, (wq), (ticks), __func__);        \
			while (__wr == WAIT_OK) {                                 \
				wait_prepare(&__wc);                              \
				if (cond)                                         \
					break;                                    \
				if (!wait_sleep(&__wc)) {                         \
					__wr = (cond) ? WAIT_OK : WAIT_TIMEOUT;   \
					break;                                    \
				}                                                 \
			}                                                         \
			if (__wr != WAIT_ATOMIC)                                  \
				wait_end(&__wc);                                  \
		}                                                                 \
		__wr;                                                             \
	})

#define wait_event(wq, cond) wait_event_timeout((wq), (cond), 0)

/* Sleep for n timer ticks (at least n-1 full tick periods). Returns
 * WAIT_OK, or WAIT_ATOMIC if called where sleeping is not allowed. */
int sleep_ticks(unsigned long n);

/* A one-shot event: complete() once, waiters return. */
struct completion {
	struct wait_queue wq;
	volatile unsigned int done;
};

#define COMPLETION_INIT { WAIT_QUEUE_INIT, 0 }

void completion_init(struct completion *c);
void complete(struct completion *c);
int wait_for_completion_timeout(struct completion *c, unsigned long ticks);

#endif /* GUEST_WAIT_H */
