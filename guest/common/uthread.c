/* SPDX-License-Identifier: MIT */
/*
 * User-mode tasks as preemptible threads (uthread.h). The port enters
 * user mode (arch_uthread_enter); the thread carries the task, so the
 * system call and signal code find it as the current task.
 */
#include "arch.h"
#include "kstring.h"
#include "sched.h"
#include "task.h"
#include "uthread.h"

static unsigned int next_upid = 1000;

static void uthread_main(void *arg)
{
	struct uthread *u = arg;
	struct thread *me = thread_current();

	memset(&u->task, 0, sizeof(u->task));
	u->task.pid = __atomic_fetch_add(&next_upid, 1, __ATOMIC_RELAXED);
	u->task.name = me->name;
	me->task = &u->task;
	task_set_current(&u->task);
	u->started = true;
	arch_uthread_enter(u->entry, u->arg, u->slot);
	u->status = u->task.exit_status;
	task_set_current(NULL);
	me->task = NULL;
}

bool uthread_start(struct uthread *u, const char *name, unsigned int cpu, unsigned int slot,
		   void (*entry)(uint64_t), uint64_t arg)
{
	if (slot >= UTHREAD_SLOTS)
		return false;
	u->entry = entry;
	u->arg = arg;
	u->slot = slot;
	u->started = false;
	u->status = -1;
	u->thread = thread_create_user(name, cpu, uthread_main, u);
	return u->thread != NULL;
}

bool busy_start(struct busy_set *b, unsigned int n, unsigned int cpu)
{
	static const char *const names[UTHREAD_SLOTS] = {
		"busy0", "busy1", "busy2", "busy3", "busy4", "busy5", "busy6", "busy7",
	};

	if (n > UTHREAD_SLOTS)
		return false;
	u_busy_stop = 0;
	b->n = 0;
	for (unsigned int i = 0; i < n; i++) {
		u_busy_count[i] = 0;
		if (!uthread_start(&b->u[i], names[i], cpu, i, u_prog_busy, i))
			return false;
		b->n++;
	}
	return true;
}

void busy_read(const struct busy_set *b, uint64_t *counts)
{
	for (unsigned int i = 0; i < b->n; i++)
		counts[i] = u_busy_count[i];
}

bool busy_stop(struct busy_set *b, unsigned long timeout_ticks)
{
	bool ok = true;

	u_busy_stop = 1;
	for (unsigned int i = 0; i < b->n; i++)
		ok &= thread_join(b->u[i].thread, timeout_ticks);
	b->n = 0;
	return ok;
}
