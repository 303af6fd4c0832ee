/* SPDX-License-Identifier: MIT */
/*
 * Work queues (workqueue.h): a FIFO of work items and one worker thread.
 */
#include "arch.h"
#include "kalloc.h"
#include "panic.h"
#include "sched.h"
#include "workqueue.h"

struct workqueue *system_wq;

void work_init(struct work *w, work_fn fn)
{
	w->next = NULL;
	w->fn = fn;
	w->pending = 0;
	w->runs = 0;
}

static bool queue_idle(struct workqueue *wq)
{
	return !READ_ONCE(wq->head) && !READ_ONCE(wq->running);
}

static void worker_main(void *arg)
{
	struct workqueue *wq = arg;

	for (;;) {
		unsigned long flags;
		struct work *w;

		wait_event(&wq->more, READ_ONCE(wq->head) != NULL);
		flags = arch_irq_save();
		spin_lock(&wq->lock);
		w = wq->head;
		if (w) {
			wq->head = w->next;
			if (!wq->head)
				wq->tail = NULL;
			w->next = NULL;
			wq->running = w;
		}
		spin_unlock(&wq->lock);
		arch_irq_restore(flags);
		if (!w)
			continue;
		/* Cleared before the call: queueing it again while it runs
		 * makes it run again afterwards. */
		__atomic_store_n(&w->pending, 0, __ATOMIC_SEQ_CST);
		w->fn(w);
		w->runs++;
		flags = arch_irq_save();
		spin_lock(&wq->lock);
		wq->running = NULL;
		wq->done++;
		spin_unlock(&wq->lock);
		arch_irq_restore(flags);
		wake_up(&wq->idle);
	}
}

struct workqueue *workqueue_create(const char *name, unsigned int cpu)
{
	struct workqueue *wq = kalloc(sizeof(*wq), 64);

	if (!wq)
		return NULL;
	wq->name = name;
	wq->lock = (spinlock_t)SPINLOCK_INIT;
	wait_queue_init(&wq->more);
	wait_queue_init(&wq->idle);
	wq->worker = thread_create(name, cpu, worker_main, wq);
	return wq->worker ? wq : NULL;
}

bool queue_work(struct workqueue *wq, struct work *w)
{
	unsigned long flags;

	if (__atomic_exchange_n(&w->pending, 1, __ATOMIC_ACQ_REL))
		return false;
	flags = arch_irq_save();
	spin_lock(&wq->lock);
	w->next = NULL;
	if (wq->tail)
		wq->tail->next = w;
	else
		wq->head = w;
	wq->tail = w;
	spin_unlock(&wq->lock);
	arch_irq_restore(flags);
	wake_up(&wq->more);
	return true;
}

int flush_workqueue(struct workqueue *wq, unsigned long ticks)
{
	return wait_event_timeout(&wq->idle, queue_idle(wq), ticks);
}

void workqueues_init(void)
{
	system_wq = workqueue_create("events/0", 0);
	if (!system_wq)
		panic("cannot create the system work queue");
}
