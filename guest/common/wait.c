/* SPDX-License-Identifier: MIT */
/*
 * Wait queues, sleeping with a timeout, completions (wait.h). Queue locks
 * are always taken with interrupts off: wake_up() runs in interrupt
 * handlers and softirqs.
 */
#include "arch.h"
#include "ktimer.h"
#include "sched.h"
#include "wait.h"

void wait_queue_init(struct wait_queue *wq)
{
	wq->lock = (spinlock_t)SPINLOCK_INIT;
	wq->head = NULL;
	wq->wakeups = 0;
}

void wake_up(struct wait_queue *wq)
{
	unsigned long flags = arch_irq_save();

	spin_lock(&wq->lock);
	if (wq->head)
		wq->wakeups++;
	for (struct waiter *w = wq->head; w; w = w->next)
		thread_wake(w->thread);
	spin_unlock(&wq->lock);
	arch_irq_restore(flags);
}

static void wait_timeout_fn(struct ktimer *t)
{
	struct wait_ctx *c = t->data;

	c->timed_out = true;
	thread_wake(c->w.thread);
}

int wait_begin(struct wait_ctx *c, struct wait_queue *wq, unsigned long timeout_ticks,
	       const char *what)
{
	unsigned long flags;

	if (!sched_may_block(what))
		return WAIT_ATOMIC;
	c->wq = wq;
	c->w.thread = thread_current();
	c->timed_out = false;
	c->timer_armed = false;
	flags = arch_irq_save();
	spin_lock(&wq->lock);
	c->w.next = wq->head;
	wq->head = &c->w;
	spin_unlock(&wq->lock);
	arch_irq_restore(flags);
	if (timeout_ticks) {
		ktimer_init(&c->timer, wait_timeout_fn, c);
		c->timer_armed = true;
		/* The current tick period is partly over: the sleep lasts
		 * between timeout_ticks - 1 and timeout_ticks periods. */
		ktimer_add(&c->timer, jiffies_now() + timeout_ticks);
	}
	return WAIT_OK;
}

void wait_prepare(struct wait_ctx *c)
{
	(void)c;
	sched_set_blocked();
}

bool wait_sleep(struct wait_ctx *c)
{
	if (READ_ONCE(c->timed_out)) {
		sched_set_running();
		return false;
	}
	schedule();
	return !READ_ONCE(c->timed_out);
}

void wait_end(struct wait_ctx *c)
{
	unsigned long flags;

	sched_set_running();
	if (c->timer_armed)
		ktimer_del(&c->timer);
	flags = arch_irq_save();
	spin_lock(&c->wq->lock);
	for (struct waiter **pp = &c->wq->head; *pp; pp = &(*pp)->next) {
		if (*pp == &c->w) {
			*pp = c->w.next;
			break;
		}
	}
	spin_unlock(&c->wq->lock);
	arch_irq_restore(flags);
}

int sleep_ticks(unsigned long n)
{
	static struct wait_queue nobody = WAIT_QUEUE_INIT;
	int r;

	if (!n)
		return WAIT_OK;
	r = wait_event_timeout(&nobody, false, n);
	return r == WAIT_TIMEOUT ? WAIT_OK : r;
}

void completion_init(struct completion *c)
{
	wait_queue_init(&c->wq);
	c->done = 0;
}

void complete(struct completion *c)
{
	__atomic_store_n(&c->done, 1, __ATOMIC_SEQ_CST);
	wake_up(&c->wq);
}

int wait_for_completion_timeout(struct completion *c, unsigned long ticks)
{
	return wait_event_timeout(&c->wq, READ_ONCE(c->done), ticks);
}
