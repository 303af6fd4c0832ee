/* SPDX-License-Identifier: MIT */
/*
 * Sleeping mutex: a contended lock puts the caller to sleep instead of
 * spinning. Only threads may take it; mutex_lock() from interrupt context
 * is refused and reported (-EDEADLK), never a hang.
 */
#ifndef GUEST_MUTEX_H
#define GUEST_MUTEX_H

#include <stdbool.h>

#include "spinlock.h"
#include "wait.h"

struct thread;

struct mutex {
	spinlock_t lock;
	struct thread *owner;
	struct wait_queue wq;
	unsigned long contended; /* acquisitions that had to sleep */
};

#define MUTEX_INIT { SPINLOCK_INIT, NULL, WAIT_QUEUE_INIT, 0 }

#ifndef EDEADLK
#define EDEADLK 35
#endif
#ifndef ETIMEDOUT
#define ETIMEDOUT 110
#endif

void mutex_init(struct mutex *m);
/* 0, or -EDEADLK when sleeping is not allowed here. */
int mutex_lock(struct mutex *m);
/* 0, -ETIMEDOUT, or -EDEADLK. */
int mutex_lock_timeout(struct mutex *m, unsigned long ticks);
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);
bool mutex_is_locked(const struct mutex *m);

#endif /* GUEST_MUTEX_H */
