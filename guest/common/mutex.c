/* SPDX-License-Identifier: MIT */
/*
 * Sleeping mutex (mutex.h).
 */
#include "arch.h"
#include "mutex.h"
#include "sched.h"

void mutex_init(struct mutex *m)
{
	m->lock = (spinlock_t)SPINLOCK_INIT;
	m->owner = NULL;
	wait_queue_init(&m->wq);
	m->contended = 0;
}

bool mutex_trylock(struct mutex *m)
{
	unsigned long flags = arch_irq_save();
	bool got = false;

	spin_lock(&m->lock);
	if (!m->owner) {
		m->owner = thread_current();
		got = true;
	}
	spin_unlock(&m->lock);
	arch_irq_restore(flags);
	return got;
}

int mutex_lock_timeout(struct mutex *m, unsigned long ticks)
{
	int r;

	/* Checked before trying: taking a sleeping lock in interrupt context
	 * is a bug even when it happens to be free. */
	if (!sched_may_block("mutex_lock"))
		return -EDEADLK;
	if (mutex_trylock(m))
		return 0;
	m->contended++;
	r = wait_event_timeout(&m->wq, mutex_trylock(m), ticks);
	if (r == WAIT_ATOMIC)
		return -EDEADLK;
	return r == WAIT_OK ? 0 : -ETIMEDOUT;
}

int mutex_lock(struct mutex *m)
{
	return mutex_lock_timeout(m, 0);
}

void mutex_unlock(struct mutex *m)
{
	unsigned long flags = arch_irq_save();

	spin_lock(&m->lock);
	m->owner = NULL;
	spin_unlock(&m->lock);
	arch_irq_restore(flags);
	wake_up(&m->wq);
}

bool mutex_is_locked(const struct mutex *m)
{
	return READ_ONCE(m->owner) != NULL;
}
