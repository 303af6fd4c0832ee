/* SPDX-License-Identifier: MIT */
/*
 * Threads and the scheduler.
 *
 * Every thread is pinned to one CPU and sits on that CPU's run queue when
 * runnable. Scheduling is round robin with a time slice counted in timer
 * ticks. The kernel is not preemptible: a thread loses the CPU only when it
 * blocks, yields, exits, or when an interrupt arrives while it runs in user
 * mode or is the idle thread. Kernel threads woken up go ahead of user
 * threads (they run ahead of the next user time slice), which is what a
 * softirq thread, a work queue worker or a test waiting for a timer needs.
 *
 * Each CPU has an idle thread: on the boot CPU a thread of its own, on the
 * others the context the CPU came up in (its `sti; hlt` loop), adopted
 * without running any code there.
 */
#ifndef GUEST_SCHED_H
#define GUEST_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "wait.h"

struct task;

enum thread_state {
	THREAD_RUNNABLE = 0,
	THREAD_BLOCKED = 1,
	THREAD_DEAD = 2,
};

#define THREAD_F_IDLE (1u << 0) /* idle loop: may be preempted anywhere */
#define THREAD_F_USER (1u << 1) /* runs a ring-3 task (arch has trap stack) */
#define THREAD_F_BOOT (1u << 2) /* the context the CPU booted in */

#define THREAD_STACK_SIZE (16u * 1024u)
#define THREAD_ARCH_WORDS 6u

struct thread {
	struct thread *run_next; /* run-queue link */
	const char *name;
	unsigned int id;
	unsigned int cpu;
	unsigned int flags;      /* THREAD_F_* */
	volatile int state;      /* enum thread_state */
	bool on_rq;
	void (*fn)(void *arg);
	void *arg;
	uint8_t *stack;          /* THREAD_STACK_SIZE bytes, NULL for boot threads */
	struct task *task;       /* user task this thread runs, or NULL */
	unsigned int slice;      /* ticks left in the time slice */
	unsigned long switches;  /* times switched in */
	unsigned long ticks;     /* timer ticks that found it running */
	struct wait_queue exit_wq;
	uintptr_t arch[THREAD_ARCH_WORDS]; /* saved stack pointer etc. (the port's) */
};

/* Time slice of runnable threads, in ticks. */
#define SCHED_SLICE_TICKS 2u

/* Set up the run queues and idle threads of all CPUs (boot CPU, once,
 * before any thread is created). The caller becomes CPU 0's "main" thread. */
void sched_init(unsigned int nr_cpus);
bool sched_ready(void);

/* Create a thread on `cpu` running fn(arg); it starts when first picked.
 * Returns NULL if out of memory or the CPU is not online. */
struct thread *thread_create(const char *name, unsigned int cpu, void (*fn)(void *), void *arg);
/* Same, flagged as a user-task thread (the port gives it a trap stack). */
struct thread *thread_create_user(const char *name, unsigned int cpu, void (*fn)(void *),
				  void *arg);

/* Wait (sleeping) until t has exited, at most timeout_ticks (0 = forever).
 * Returns true if it exited. */
bool thread_join(struct thread *t, unsigned long timeout_ticks);

__noreturn void thread_exit(void);

struct thread *thread_current(void);

/* Give up the CPU if something else is runnable. */
void sched_yield(void);

/* Call where a long-running kernel loop can let other threads run. */
void cond_resched(void);

/* Blocking: mark the current thread blocked, re-check the condition, then
 * schedule(). A wake-up between the two is not lost: it makes the thread
 * runnable again and schedule() returns at once. */
void sched_set_blocked(void);
void sched_set_running(void);
void schedule(void);

/* Make a blocked thread runnable (any context, any CPU). */
void thread_wake(struct thread *t);
/* t is blocked and its CPU has switched away from it: a wake-up now has to
 * queue it and poke that CPU. (Its state reads THREAD_BLOCKED a little
 * earlier, from sched_set_blocked() until schedule() switched; a wake-up in
 * that window finds it still current and needs no IPI.) */
bool thread_asleep(struct thread *t);

/* Is blocking allowed here? If not (hard IRQ, softirq, interrupts off),
 * the attempt is counted and reported once per call site, and false is
 * returned so the caller can fail with -EDEADLK instead of hanging. */
bool sched_may_block(const char *what);
unsigned long sched_atomic_block_attempts(void);

/* The timer tick (ticks.c calls it on every CPU that has a tick). */
void sched_tick(void);

/* The way out of the outermost interrupt (irqentry.c). */
void sched_irq_exit(bool from_user);

/* Port entry point of a new thread's first run. */
__noreturn void sched_thread_entry(struct thread *t);

/* Counters. */
unsigned long sched_switches(unsigned int cpu);
unsigned int sched_nr_threads(void);

#endif /* GUEST_SCHED_H */
